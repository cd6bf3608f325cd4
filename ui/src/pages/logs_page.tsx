// /logs: log search (service, level, text, time window); every line links
// to its trace and span.
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api";
import { severityClass, type LogRecord } from "../lib/logs";
import { fmtTime, nsToMs } from "../lib/format";
import { navigate } from "../router";
import { usePrefs } from "../prefs";

export function LogsPage({ search }: { search: URLSearchParams }) {
  const prefs = usePrefs();
  const [services, setServices] = useState<string[]>([]);
  const [form, setForm] = useState({ service: "", level: "", q: "", lookback: "1h", limit: "200" });
  const [logs, setLogs] = useState<LogRecord[] | null>(null);
  const [error, setError] = useState("");
  const key = search.toString();
  useEffect(() => { document.title = "Logs — callpath"; }, []);
  useEffect(() => {
    getJson<{ services: string[] }>("/api/v1/services").then((r) => setServices(r.services)).catch(() => undefined);
  }, []);
  useEffect(() => {
    const f = { service: search.get("service") ?? "", level: search.get("level") ?? "", q: search.get("q") ?? "",
      lookback: search.get("lookback") ?? "1h", limit: search.get("limit") ?? "200" };
    setForm(f);
    setError("");
    const p = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
    getJson<{ logs: LogRecord[] }>(`/api/v1/logs?${p}`).then((r) => setLogs(r.logs)).catch((e) => setError(String(e.message ?? e)));
  }, [key]);
  const submit = (e: Event) => {
    e.preventDefault();
    const p = new URLSearchParams(Object.entries(form).filter(([, v]) => v) as [string, string][]);
    navigate(`/logs?${p}`);
  };
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return (
    <div class="page logs-page">
      <form class="toolbar" onSubmit={submit} aria-label="search logs">
        <label class="inline">service
          <select value={form.service} onChange={set("service")}><option value="">any</option>{services.map((s) => <option key={s} value={s}>{s}</option>)}</select>
        </label>
        <label class="inline">level ≥
          <select value={form.level} onChange={set("level")}>
            <option value="">any</option><option value="debug">DEBUG</option><option value="info">INFO</option><option value="warn">WARN</option><option value="error">ERROR</option><option value="fatal">FATAL</option>
          </select>
        </label>
        <input placeholder="text in the message (case-sensitive)" value={form.q} onInput={set("q")} aria-label="text" size={30} />
        <label class="inline">lookback
          <select value={form.lookback} onChange={set("lookback")}>{["5m", "15m", "1h", "6h", "24h", "168h"].map((l) => <option key={l} value={l}>{l}</option>)}</select>
        </label>
        <label class="inline">limit <input value={form.limit} onInput={set("limit")} size={5} /></label>
        <button type="submit" class="on">Search logs</button>
        <span class="muted">{logs ? `${logs.length} records, newest first` : ""}</span>
      </form>
      {error && <div class="error-box">{error}</div>}
      <table class="grid logs-table">
        <thead><tr><th>time</th><th>level</th><th>service</th><th>message</th><th>trace</th></tr></thead>
        <tbody>
          {(logs ?? []).map((l, k) => (
            <tr key={k} class="log-line">
              <td class="mono">{fmtTime(nsToMs(BigInt(Math.round(l.time_ns))), prefs.utc)}</td>
              <td class={"mono sev-" + severityClass(l.severity_number)}>{l.level}</td>
              <td>{l.service_name}</td>
              <td class="log-msg">{l.msg}</td>
              <td>{l.trace_id ? <a class="mono" href={`/trace/${l.trace_id}${l.span_id ? `?span=${l.span_id}` : ""}`}>{l.trace_id.slice(0, 12)}…</a> : <span class="muted">-</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
