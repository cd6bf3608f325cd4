// The search form's state, kept in the page URL, and the native search
// request it makes. Span-level conditions (one span must match all of them)
// and trace-level conditions (about the trace as a whole) are named apart,
// as /api/v1/search names them.
import type { TraceSummary } from "../api";

export interface SearchForm {
  // span-level
  service: string;
  operation: string;
  tags: string; // "k=v k2=v2"
  minDuration: string;
  maxDuration: string;
  // trace-level
  minTraceDuration: string;
  maxTraceDuration: string;
  errors: string; // "" | "true" | "false"
  through: string; // "a,b": passes through every one of these services
  logLevel: string; // "" | severity name: a log line of at least this level
  logText: string; // a log line containing this text
  // window
  lookback: string; // "1h" or "custom"
  start: string; // datetime-local text when custom
  end: string;
  limit: string;
  sort: SortOrder;
  ids: string; // comma-separated trace ids to look up
}

export type SortOrder = "recent" | "longest" | "shortest" | "most-spans" | "least-spans" | "most-errors";

const FIELDS: [keyof SearchForm, string, string][] = [
  ["service", "service", ""],
  ["operation", "operation", ""],
  ["tags", "tags", ""],
  ["minDuration", "minDuration", ""],
  ["maxDuration", "maxDuration", ""],
  ["minTraceDuration", "minTraceDuration", ""],
  ["maxTraceDuration", "maxTraceDuration", ""],
  ["errors", "errors", ""],
  ["through", "through", ""],
  ["logLevel", "logLevel", ""],
  ["logText", "logText", ""],
  ["lookback", "lookback", "1h"],
  ["start", "start", ""],
  ["end", "end", ""],
  ["limit", "limit", "20"],
  ["sort", "sort", "recent"],
  ["ids", "ids", ""],
];

export function formFromUrl(p: URLSearchParams): SearchForm {
  const f = {} as Record<string, string>;
  for (const [k, name, def] of FIELDS) f[k] = p.get(name) ?? def;
  return f as unknown as SearchForm;
}

export function formToUrl(f: SearchForm): string {
  const p = new URLSearchParams();
  for (const [k, name, def] of FIELDS) {
    const v = String(f[k] ?? "");
    if (v && v !== def) p.set(name, v);
  }
  return p.toString();
}

// "k=v k2=\"a b\"" -> [["k","v"],["k2","a b"]]
export function parseTags(text: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("([^"]*)"|\S*)/g;
  for (let m; (m = re.exec(text)); ) out.push([m[1], m[3] ?? m[2]]);
  return out;
}

function toNs(local: string, utc: boolean): string {
  const ms = utc ? Date.parse(local + "Z") : Date.parse(local);
  return isNaN(ms) ? "" : String(BigInt(ms) * 1000000n);
}

// The /api/v1/search query for the form. Log conditions go to the server
// as log_level / log_text when `nativeLog` (servers that take them);
// otherwise more candidates are asked for and filtered by the traces a log
// search names.
export function searchQuery(f: SearchForm, utc: boolean, nativeLog = false): string {
  const p = new URLSearchParams();
  const set = (k: string, v: string) => v && p.set(k, v);
  set("service", f.service);
  set("operation", f.operation);
  for (const [k, v] of parseTags(f.tags)) p.append("tag", `${k}:${v}`);
  set("min_duration", f.minDuration);
  set("max_duration", f.maxDuration);
  set("min_trace_duration", f.minTraceDuration);
  set("max_trace_duration", f.maxTraceDuration);
  set("errors", f.errors);
  set("services_all", f.through);
  if (f.lookback === "custom") {
    set("start", toNs(f.start, utc));
    set("end", toNs(f.end, utc));
  } else {
    set("lookback", f.lookback || "1h");
  }
  const limit = parseInt(f.limit || "20", 10);
  if (nativeLog) {
    set("log_level", f.logLevel);
    set("log_text", f.logText);
  }
  set("limit", String(hasLogCondition(f) && !nativeLog ? Math.min(10000, Math.max(limit * 20, 1000)) : limit));
  return p.toString();
}

export function hasLogCondition(f: SearchForm): boolean {
  return !!(f.logLevel || f.logText);
}

export function logQuery(f: SearchForm, utc: boolean): string {
  const p = new URLSearchParams();
  if (f.service) p.set("service", f.service);
  if (f.logLevel) p.set("level", f.logLevel);
  if (f.logText) p.set("q", f.logText);
  if (f.lookback === "custom") {
    const s = toNs(f.start, utc);
    const e = toNs(f.end, utc);
    if (s) p.set("start", s);
    if (e) p.set("end", e);
  } else {
    p.set("lookback", f.lookback || "1h");
  }
  p.set("limit", "10000");
  return p.toString();
}

export function sortTraces(traces: TraceSummary[], order: SortOrder): TraceSummary[] {
  const t = traces.slice();
  const start = (x: TraceSummary) => Number(x.start_ns);
  const by: Record<SortOrder, (a: TraceSummary, b: TraceSummary) => number> = {
    recent: (a, b) => start(b) - start(a),
    longest: (a, b) => b.duration_ns - a.duration_ns,
    shortest: (a, b) => a.duration_ns - b.duration_ns,
    "most-spans": (a, b) => b.span_count - a.span_count,
    "least-spans": (a, b) => a.span_count - b.span_count,
    "most-errors": (a, b) => b.error_count - a.error_count || start(b) - start(a),
  };
  return t.sort(by[order]);
}
