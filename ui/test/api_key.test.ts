import { describe, expect, it } from "vitest";
import { KeyedFetch, type KeyReason, type KeyStore } from "../src/lib/api_key";

const GOOD = "cpk_good";

// A server that takes GOOD only, and records what it was sent.
function server() {
  const seen: (string | null)[] = [];
  const send = async (_path: string, init?: RequestInit) => {
    const auth = new Headers(init?.headers).get("Authorization");
    seen.push(auth);
    return new Response("{}", { status: auth === `Bearer ${GOOD}` ? 200 : 401 });
  };
  return { seen, send };
}

function memoryStore(initial: string | null = null): KeyStore & { value: string | null } {
  const s = {
    value: initial,
    get: () => s.value,
    set: (k: string) => void (s.value = k),
    clear: () => void (s.value = null),
  };
  return s;
}

// Answers the questions in turn, recording why each was asked.
function person(answers: (string | null)[]) {
  const asked: KeyReason[] = [];
  const ask = async (reason: KeyReason) => {
    asked.push(reason);
    return answers.shift() ?? null;
  };
  return { asked, ask };
}

describe("API key", () => {
  it("sends no Authorization header while no key is needed or known", async () => {
    const seen: (string | null)[] = [];
    const k = new KeyedFetch(memoryStore(), person([]).ask, async (_p, init) => {
      seen.push(new Headers(init?.headers).get("Authorization"));
      return new Response("{}", { status: 200 });
    });
    expect((await k.fetch("/api/v1/services")).status).toBe(200);
    expect(seen).toEqual([null]);
  });

  it("asks once on the first 401, keeps the key and sends it on every later call", async () => {
    const srv = server();
    const store = memoryStore();
    const p = person([GOOD]);
    const k = new KeyedFetch(store, p.ask, srv.send);
    expect((await k.fetch("/api/v1/services")).status).toBe(200);
    expect((await k.fetch("/api/v1/search")).status).toBe(200);
    expect(p.asked).toEqual(["missing"]);
    expect(store.value).toBe(GOOD);
    expect(srv.seen).toEqual([null, `Bearer ${GOOD}`, `Bearer ${GOOD}`]);
  });

  it("asks again, saying the key was refused, when the server refuses it", async () => {
    const srv = server();
    const store = memoryStore();
    const p = person(["wrong", GOOD]);
    const k = new KeyedFetch(store, p.ask, srv.send);
    expect((await k.fetch("/api/v1/services")).status).toBe(200);
    expect(p.asked).toEqual(["missing", "refused"]);
    expect(srv.seen).toEqual([null, "Bearer wrong", `Bearer ${GOOD}`]);
  });

  it("a stored key that stops working is asked for again", async () => {
    const srv = server();
    const store = memoryStore("revoked");
    const p = person([GOOD]);
    const k = new KeyedFetch(store, p.ask, srv.send);
    expect((await k.fetch("/api/v1/services")).status).toBe(200);
    expect(p.asked).toEqual(["refused"]);
  });

  it("calls refused at the same moment share one question", async () => {
    const srv = server();
    let release: (k: string) => void = () => undefined;
    let questions = 0;
    const ask = () => {
      ++questions;
      return new Promise<string | null>((r) => (release = r));
    };
    const k = new KeyedFetch(memoryStore(), ask, srv.send);
    const calls = [k.fetch("/a"), k.fetch("/b"), k.fetch("/c")];
    await new Promise((r) => setTimeout(r, 0));
    release(GOOD);
    const answers = await Promise.all(calls);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(questions).toBe(1);
  });

  it("declining gives the caller the 401, and nothing is stored", async () => {
    const srv = server();
    const store = memoryStore();
    const k = new KeyedFetch(store, person([null]).ask, srv.send);
    expect((await k.fetch("/api/v1/services")).status).toBe(401);
    expect(store.value).toBeNull();
  });
});
