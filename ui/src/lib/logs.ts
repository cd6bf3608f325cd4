// Placing log records: by span (rows under the span that wrote them, in
// time order), as ticks on a bar, and in the trace-wide logs tab where a
// record whose span never arrived is kept and said so.
import type { Band, Window } from "./critical";
import type { TraceModel, Tick } from "./skeleton";

export interface LogRecord {
  timestamp: string;
  time_ns: number;
  level: string;
  severity_number: number;
  msg: string;
  service_name: string;
  trace_id?: string;
  span_id?: string;
  attributes: Record<string, unknown>;
}

export type SeverityClass = "fatal" | "error" | "warn" | "info" | "debug";

export function severityClass(n: number): SeverityClass {
  if (n >= 21) return "fatal";
  if (n >= 17) return "error";
  if (n >= 13) return "warn";
  if (n >= 9) return "info";
  return "debug";
}

export interface PlacedTick extends Band {
  severity: SeverityClass;
}

// Ticks on span i's bar, as positions in the window; ticks closer than
// half a percent merge into the most severe of them.
export function placeTicks(ticks: Tick[] | undefined, w: Window): PlacedTick[] {
  if (!ticks) return [];
  const out: PlacedTick[] = [];
  const span = w.to - w.from;
  if (span <= 0) return out;
  let lastLeft = -10;
  let lastSev = 0;
  for (const t of ticks) {
    if (t.offset < w.from || t.offset > w.to) continue;
    const left = ((t.offset - w.from) / span) * 100;
    if (left - lastLeft < 0.5 && out.length > 0) {
      if (t.severity > lastSev) {
        out[out.length - 1].severity = severityClass(t.severity);
        lastSev = t.severity;
      }
      continue;
    }
    out.push({ left, width: 0, severity: severityClass(t.severity) });
    lastLeft = left;
    lastSev = t.severity;
  }
  return out;
}

export interface PlacedLog {
  log: LogRecord;
  span: number; // tree index, -1 when the span is not in the trace
}

// The trace's records in time order, each with the row of its span.
export function placeLogs(m: TraceModel, logs: LogRecord[]): PlacedLog[] {
  return logs
    .map((log) => ({ log, span: log.span_id ? (m.idIndex.get(log.span_id) ?? -1) : -1 }))
    .sort((a, b) => a.log.time_ns - b.log.time_ns);
}

export interface LogFilter {
  minSeverity: number;
  service: string; // "" = any
  text: string;
}

export function filterLogs(placed: PlacedLog[], f: LogFilter): PlacedLog[] {
  const text = f.text.toLowerCase();
  return placed.filter(
    (p) =>
      p.log.severity_number >= f.minSeverity &&
      (!f.service || p.log.service_name === f.service) &&
      (!text || p.log.msg.toLowerCase().includes(text)),
  );
}
