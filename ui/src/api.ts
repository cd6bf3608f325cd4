// The query API calls the pages make (callpathd's native /api/v1). Every
// call resolves to a value or throws an ApiError with the server's reason.

import { KeyedFetch, sessionKeyStore } from "./lib/api_key";
import { askForKey } from "./key_prompt";

// Every API call goes through here: it carries the session's API key and
// asks for one when the server answers 401 (callpathd --keys-file).
const keyed = new KeyedFetch(sessionKeyStore(), askForKey, (input, init) => fetch(input, init));

export function apiFetch(path: string, init?: RequestInit): Promise<Response> {
  return keyed.fetch(path, init);
}

export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

// Requests started before the page is drawn (main.tsx starts the trace
// page's skeleton while the app boots); taken once by the first getJson
// of the same path.
const early = new Map<string, Promise<Response>>();

export function prefetch(path: string) {
  early.set(path, apiFetch(path, { headers: { Accept: "application/json" } }));
}

// `mark`: a name for performance marks at the answer's arrival
// (`{mark}:response`), its body read (`:body`) and parsed (`:parsed`),
// which the UI benchmark reads (bench/ui/bench.mjs).
export async function getJson<T>(path: string, signal?: AbortSignal, mark?: string): Promise<T> {
  const started = early.get(path);
  early.delete(path);
  const r = started ? await started : await apiFetch(path, { signal, headers: { Accept: "application/json" } });
  if (!mark || !r.ok) return readJson<T>(r);
  performance.mark(`${mark}:response`);
  const text = await r.text();
  performance.mark(`${mark}:body`);
  const value = JSON.parse(text) as T;
  performance.mark(`${mark}:parsed`);
  return value;
}

async function readJson<T>(r: Response): Promise<T> {
  if (!r.ok) {
    let reason = r.statusText;
    try {
      const body = await r.json();
      reason = body.error ?? body.errors?.[0]?.msg ?? reason;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(r.status, reason);
  }
  return (await r.json()) as T;
}

// A call that may not exist on this server (an endpoint added later):
// null instead of an error when the server does not know the path (404,
// 501, 405, or 400 where the path is read as a malformed id).
export async function getOptional<T>(path: string, signal?: AbortSignal): Promise<T | null> {
  try {
    return await getJson<T>(path, signal);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 501 || e.status === 405 || e.status === 400)) return null;
    throw e;
  }
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  const s = u.toString();
  return s ? "?" + s : "";
}

export interface TraceSummary {
  trace_id: string;
  root_service: string;
  root_operation: string;
  has_root: boolean;
  start_ns: number | string;
  duration_ns: number;
  span_count: number;
  error_count: number;
  services: string[];
}

export interface SpanDetail {
  span_id: string;
  parent_span_id?: string;
  service: string;
  operation: string;
  kind: string;
  start_ns: number | string;
  duration_ns: number;
  self_ns: number;
  depth: number;
  critical: boolean;
  status: { code: string; message?: string };
  attributes: Record<string, unknown>;
  events: { time_ns: number; name: string; attributes: Record<string, unknown> }[];
  links: { trace_id: string; span_id: string; attributes: Record<string, unknown> }[];
  resource: Record<string, unknown>;
  scope: { name: string; version: string };
  warnings?: string[];
}

export interface Evidence {
  type: string;
  text: string;
  span_id?: string | null;
}

export interface Cause {
  rank: number;
  service: string;
  operation: string | null;
  span_id: string | null;
  kind: string;
  score: number;
  summary: string;
  evidence: Evidence[];
}

export interface Explanation {
  trace_id: string;
  status: string;
  summary: string;
  causes: Cause[];
}

export interface RootCauses {
  errors: { span_id: string; service: string; operation: string; score: number; reason: string }[];
  slow: { span_id: string; service: string; operation: string; score: number; reason: string }[];
}
