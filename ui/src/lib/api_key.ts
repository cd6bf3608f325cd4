// API keys for a callpathd started with --keys-file: every API call carries
// the key as `Authorization: Bearer …`; the first 401 asks the person for a
// key (once, however many calls were refused at the same moment), and a 401
// with a key asks again, saying the key was refused. The key lives for the
// browser tab's session only.

// Where the key is kept (sessionStorage in the page; a map in tests).
export interface KeyStore {
  get(): string | null;
  set(key: string): void;
  clear(): void;
}

// Why a key is asked for: none was sent, or the one sent was refused.
export type KeyReason = "missing" | "refused";

// Shows the question and resolves to the key typed in, or null when the
// person declines.
export type AskForKey = (reason: KeyReason) => Promise<string | null>;

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export function withBearer(init: RequestInit | undefined, key: string | null): RequestInit {
  if (!key) return init ?? {};
  const headers = new Headers(init?.headers);
  headers.set("Authorization", `Bearer ${key}`);
  return { ...init, headers };
}

export class KeyedFetch {
  private asking: Promise<string | null> | null = null;

  constructor(private store: KeyStore, private ask: AskForKey, private send: Fetch) {}

  // fetch with the stored key; on 401, a key from the person and again.
  // Resolves to the last answer (a 401 when the person declined).
  async fetch(path: string, init?: RequestInit): Promise<Response> {
    for (;;) {
      const sent = this.store.get();
      const r = await this.send(path, withBearer(init, sent));
      if (r.status !== 401) return r;
      const next = await this.keyAfterRefusal(sent);
      if (next === null) return r;
    }
  }

  private keyAfterRefusal(sent: string | null): Promise<string | null> {
    const now = this.store.get();
    // Another call was refused first and a new key came in meanwhile.
    if (now && now !== sent) return Promise.resolve(now);
    if (sent) this.store.clear();
    if (!this.asking) {
      this.asking = this.ask(sent ? "refused" : "missing")
        .then((key) => {
          const k = key?.trim() || null;
          if (k) this.store.set(k);
          return k;
        })
        .finally(() => {
          this.asking = null;
        });
    }
    return this.asking;
  }
}

// sessionStorage, or memory when the browser refuses storage (the key then
// lasts until the page is reloaded).
export function sessionKeyStore(name = "callpath.apiKey"): KeyStore {
  let memory: string | null = null;
  const storage = (): Storage | null => {
    try {
      return sessionStorage;
    } catch {
      return null;
    }
  };
  return {
    get: () => {
      try {
        return storage()?.getItem(name) ?? memory;
      } catch {
        return memory;
      }
    },
    set: (k) => {
      memory = k;
      try {
        storage()?.setItem(name, k);
      } catch {
        // kept in memory
      }
    },
    clear: () => {
      memory = null;
      try {
        storage()?.removeItem(name);
      } catch {
        // nothing stored
      }
    },
  };
}
