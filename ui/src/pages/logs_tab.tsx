// Every log record of the trace in time order, filtered by severity,
// service and text; a record jumps to its span, and records whose span never
// arrived are listed too, marked as such.
import { useEffect, useMemo, useState } from "preact/hooks";
import { getJson } from "../api";
import { filterLogs, placeLogs, severityClass, type LogRecord } from "../lib/logs";
import type { TraceModel } from "../lib/skeleton";
import { fmtDuration } from "../lib/format";

const PAGE = 5000;
const SHOWN = 1000;

export function LogsTab({ m, onFocus }: { m: TraceModel; onFocus(span: number): void }) {
  const [logs, setLogs] = useState<LogRecord[] | null>(null);
  const [error, setError] = useState("");
  const [minSeverity, setMinSeverity] = useState(0);
  const [service, setService] = useState("");
  const [text, setText] = useState("");
  const [limit, setLimit] = useState(SHOWN);
  useEffect(() => {
    const ac = new AbortController();
    (async () => {
      const all: LogRecord[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const r = await getJson<{ logs: LogRecord[]; total: number }>(
          `/api/v1/traces/${m.traceId}/logs?offset=${offset}&limit=${PAGE}`, ac.signal);
        all.push(...r.logs);
        if (all.length >= r.total || r.logs.length === 0) break;
      }
      setLogs(all);
    })().catch((e) => !ac.signal.aborted && setError(String(e.message ?? e)));
    return () => ac.abort();
  }, [m.traceId]);
  const placed = useMemo(() => (logs ? placeLogs(m, logs) : []), [m, logs]);
  const services = useMemo(() => Array.from(new Set(placed.map((p) => p.log.service_name))).sort(), [placed]);
  const shown = filterLogs(placed, { minSeverity, service, text });
  const t0 = Number(m.startNs);
  return (
    <div class="page logs-tab">
      <div class="toolbar">
        <label class="inline">severity ≥
          <select value={minSeverity} onChange={(e) => setMinSeverity(+(e.target as HTMLSelectElement).value)}>
            <option value={0}>any</option><option value={5}>DEBUG</option><option value={9}>INFO</option>
            <option value={13}>WARN</option><option value={17}>ERROR</option><option value={21}>FATAL</option>
          </select>
        </label>
        <label class="inline">service
          <select value={service} onChange={(e) => setService((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {services.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <input placeholder="text in the message" value={text} aria-label="filter log text" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <span class="muted">{logs ? `${shown.length} of ${placed.length} records` : "loading…"}</span>
      </div>
      {error && <div class="error-box">{error}</div>}
      <table class="grid logs-table">
        <thead><tr><th>time</th><th>level</th><th>service</th><th>message</th><th>span</th></tr></thead>
        <tbody>
          {shown.slice(0, limit).map((p, k) => (
            <tr key={k} class={"log-line sev-row-" + severityClass(p.log.severity_number)}>
              <td class="mono">+{fmtDuration(p.log.time_ns - t0)}</td>
              <td class={"mono sev-" + severityClass(p.log.severity_number)}>{p.log.level}</td>
              <td>{p.log.service_name}</td>
              <td class="log-msg">{p.log.msg}</td>
              <td>{p.span >= 0 ? (
                <button class="linklike" onClick={() => onFocus(p.span)}>{m.operations[m.operation[p.span]]}</button>
              ) : <span class="muted" title={p.log.span_id ?? ""}>{p.log.span_id ? "span not in trace" : "no span"}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length > limit && <button onClick={() => setLimit(limit + SHOWN)}>show {Math.min(SHOWN, shown.length - limit)} more</button>}
    </div>
  );
}
