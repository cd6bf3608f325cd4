// /search: the search form (state in the URL), the scatter plot, and the
// result rows; pick two rows to compare them.
import { useEffect, useState } from "preact/hooks";
import { ApiError, getJson, type TraceSummary } from "../api";
import { formFromUrl, formToUrl, hasLogCondition, logQuery, searchQuery, sortTraces, type SearchForm, type SortOrder } from "../lib/search";
import type { SkeletonJson } from "../lib/skeleton";
import { fmtDuration, fmtTime, nsToMs } from "../lib/format";
import { navigate } from "../router";
import { usePrefs } from "../prefs";
import { Scatter } from "./scatter";
import { serviceColor } from "./colors";
import "./search.css";

function Field({ label, value, onInput, placeholder, list, title }: {
  label: string; value: string; onInput(v: string): void; placeholder?: string; list?: string; title?: string;
}) {
  return (
    <label class="field" title={title}>
      <span>{label}</span>
      <input value={value} placeholder={placeholder} list={list} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
    </label>
  );
}

async function lookUp(ids: string[]): Promise<TraceSummary[]> {
  const found = await Promise.all(ids.map((id) =>
    getJson<SkeletonJson>(`/api/v1/traces/${id}/skeleton`).then((s): TraceSummary => ({
      trace_id: s.trace_id, root_service: s.root_service, root_operation: s.root_operation, has_root: true,
      start_ns: s.start_ns, duration_ns: s.duration_ns, span_count: s.span_count, error_count: s.error_count, services: s.services,
    })).catch(() => null)));
  return found.filter((x): x is TraceSummary => x !== null);
}

export function SearchPage({ search }: { search: URLSearchParams }) {
  const prefs = usePrefs();
  const urlForm = formFromUrl(search);
  const [form, setForm] = useState<SearchForm>(urlForm);
  const [services, setServices] = useState<string[]>([]);
  const [operations, setOperations] = useState<string[]>([]);
  const [results, setResults] = useState<TraceSummary[] | null>(null);
  const [error, setError] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const key = search.toString();
  const set = (k: keyof SearchForm) => (v: string) => setForm({ ...form, [k]: v });

  useEffect(() => { document.title = "Search — callpath"; }, []);
  useEffect(() => {
    getJson<{ services: string[] }>("/api/v1/services").then((r) => setServices(r.services)).catch(() => undefined);
  }, []);
  useEffect(() => {
    if (!form.service) return setOperations([]);
    getJson<{ operations: { name: string }[] }>(`/api/v1/operations?service=${encodeURIComponent(form.service)}`)
      .then((r) => setOperations(Array.from(new Set(r.operations.map((o) => o.name))).sort())).catch(() => undefined);
  }, [form.service]);

  // The URL is the state: every search runs from it.
  useEffect(() => {
    const f = formFromUrl(search);
    setForm(f);
    setError("");
    const ac = new AbortController();
    (async () => {
      if (f.ids) return setResults(await lookUp(f.ids.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)));
      if (hasLogCondition(f)) {
        // The server's own trace-level log condition, where it has one.
        try {
          const r = await getJson<{ traces: TraceSummary[] }>(`/api/v1/search?${searchQuery(f, prefs.utc, true)}`, ac.signal);
          return setResults(r.traces);
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 400 && /log_(level|text)/.test(e.message))) throw e;
        }
      }
      const r = await getJson<{ traces: TraceSummary[] }>(`/api/v1/search?${searchQuery(f, prefs.utc)}`, ac.signal);
      let traces = r.traces;
      if (hasLogCondition(f)) {
        const logs = await getJson<{ logs: { trace_id?: string }[] }>(`/api/v1/logs?${logQuery(f, prefs.utc)}`, ac.signal);
        const wanted = new Set(logs.logs.map((l) => l.trace_id).filter(Boolean));
        traces = traces.filter((t) => wanted.has(t.trace_id)).slice(0, parseInt(f.limit || "20", 10));
      }
      setResults(traces);
    })().catch((e) => !ac.signal.aborted && setError(String(e.message ?? e)));
    return () => ac.abort();
  }, [key]);

  const submit = (e: Event) => {
    e.preventDefault();
    navigate("/search?" + formToUrl({ ...form, ids: "" }));
  };
  const sorted = results ? sortTraces(results, form.sort) : [];
  const togglePick = (id: string) => setPicked(picked.includes(id) ? picked.filter((x) => x !== id) : [...picked.slice(-1), id]);
  return (
    <div class="search-page">
      <form class="search-form" onSubmit={submit} aria-label="search traces">
        <fieldset>
          <legend>One span matches all of these</legend>
          <label class="field"><span>service</span>
            <select value={form.service} onChange={(e) => setForm({ ...form, service: (e.target as HTMLSelectElement).value, operation: "" })}>
              <option value="">any</option>
              {services.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <label class="field"><span>operation</span>
            <select value={form.operation} onChange={(e) => set("operation")((e.target as HTMLSelectElement).value)}>
              <option value="">any</option>
              {operations.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <Field label="tags" value={form.tags} onInput={set("tags")} placeholder='http.status_code=500 error=true' title="attribute conditions, k=v separated by spaces" />
          <Field label="span longer than" value={form.minDuration} onInput={set("minDuration")} placeholder="e.g. 100ms" />
          <Field label="span shorter than" value={form.maxDuration} onInput={set("maxDuration")} placeholder="e.g. 2s" />
        </fieldset>
        <fieldset>
          <legend>The whole trace</legend>
          <Field label="trace longer than" value={form.minTraceDuration} onInput={set("minTraceDuration")} placeholder="e.g. 1s" />
          <Field label="trace shorter than" value={form.maxTraceDuration} onInput={set("maxTraceDuration")} placeholder="e.g. 5s" />
          <label class="field"><span>errors</span>
            <select value={form.errors} onChange={(e) => set("errors")((e.target as HTMLSelectElement).value)}>
              <option value="">any</option><option value="true">an error anywhere</option><option value="false">no error</option>
            </select>
          </label>
          <Field label="passes through" value={form.through} onInput={set("through")} placeholder="svcA,svcB" title="every one of these services has a span in the trace" />
          <label class="field"><span>a log line ≥</span>
            <select value={form.logLevel} onChange={(e) => set("logLevel")((e.target as HTMLSelectElement).value)}>
              <option value="">any level</option><option value="info">INFO</option><option value="warn">WARN</option><option value="error">ERROR</option><option value="fatal">FATAL</option>
            </select>
          </label>
          <Field label="a log line with" value={form.logText} onInput={set("logText")} placeholder="text in the message" />
        </fieldset>
        <fieldset>
          <legend>When</legend>
          <label class="field"><span>lookback</span>
            <select value={form.lookback} onChange={(e) => set("lookback")((e.target as HTMLSelectElement).value)}>
              {["5m", "15m", "1h", "2h", "6h", "12h", "24h", "48h", "7d"].map((l) => <option key={l} value={l === "7d" ? "168h" : l}>last {l}</option>)}
              <option value="custom">custom range</option>
            </select>
          </label>
          {form.lookback === "custom" && (
            <>
              <label class="field"><span>from ({prefs.utc ? "UTC" : "local"})</span><input type="datetime-local" step="1" value={form.start} onInput={(e) => set("start")((e.target as HTMLInputElement).value)} /></label>
              <label class="field"><span>to ({prefs.utc ? "UTC" : "local"})</span><input type="datetime-local" step="1" value={form.end} onInput={(e) => set("end")((e.target as HTMLInputElement).value)} /></label>
            </>
          )}
          <Field label="limit" value={form.limit} onInput={set("limit")} />
          <button type="submit" class="on">Find traces</button>
        </fieldset>
      </form>
      <section class="results">
        {error && <div class="error-box">{error}</div>}
        {results && results.length > 0 && <Scatter traces={results} utc={prefs.utc} />}
        <div class="toolbar">
          <span>{results ? `${results.length} traces` : "searching…"}</span>
          <label class="inline">sort
            <select value={form.sort} onChange={(e) => navigate("/search?" + formToUrl({ ...form, sort: (e.target as HTMLSelectElement).value as SortOrder }), true)}>
              <option value="recent">most recent</option><option value="longest">longest first</option><option value="shortest">shortest first</option>
              <option value="most-spans">most spans</option><option value="least-spans">least spans</option><option value="most-errors">most errors</option>
            </select>
          </label>
          <button disabled={picked.length !== 2} onClick={() => navigate(`/trace/${picked[0]}...${picked[1]}`)} title="pick two results with their check boxes">
            Compare {picked.length}/2
          </button>
        </div>
        {results && results.length === 0 && <p class="muted">No trace matches. Widen the time range or remove a condition.</p>}
        <ul class="result-list">
          {sorted.map((t) => (
            <li key={t.trace_id} class={"result" + (t.error_count ? " has-error" : "")}>
              <input type="checkbox" aria-label={`pick ${t.trace_id} to compare`} checked={picked.includes(t.trace_id)} onChange={() => togglePick(t.trace_id)} />
              <a class="result-main" href={`/trace/${t.trace_id}`}>
                <span class="result-title"><b>{t.root_service}</b>: {t.root_operation}</span>
                <span class="mono muted">{t.trace_id.slice(0, 16)}</span>
              </a>
              <span class="result-dur">{fmtDuration(t.duration_ns)}</span>
              <span class="muted">{t.span_count} spans</span>
              <span class={t.error_count ? "err" : "muted"}>{t.error_count} errors</span>
              <span class="result-services">{t.services.map((s) => <span key={s} class="chip"><span class="dot" style={{ background: serviceColor(s) }} />{s}</span>)}</span>
              <span class="muted result-time">{fmtTime(nsToMs(t.start_ns), prefs.utc)}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
