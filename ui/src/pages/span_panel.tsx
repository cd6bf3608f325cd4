// The selected span in full: times (absolute and relative), status,
// attributes, resource, events, links (with their traces), warnings such as
// clock-skew corrections; copy its id or a link to it.
import { useEffect, useState } from "preact/hooks";
import { getJson, type SpanDetail } from "../api";
import type { TraceModel } from "../lib/skeleton";
import { FLAG_SKEWED, spanId } from "../lib/skeleton";
import { fmtDuration, fmtTime, nsToMs } from "../lib/format";
import { usePrefs } from "../prefs";
import { CopyButton } from "./copy";

function Attrs({ title, attrs }: { title: string; attrs: Record<string, unknown> }) {
  const keys = Object.keys(attrs).sort();
  if (keys.length === 0) return null;
  return (
    <section>
      <h4>{title}</h4>
      <table class="kv">
        <tbody>
          {keys.map((k) => (
            <tr key={k}>
              <th>{k}</th>
              <td class="mono">{typeof attrs[k] === "string" ? (attrs[k] as string) : JSON.stringify(attrs[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function SpanPanel({ m, span, onClose }: { m: TraceModel; span: number; onClose(): void }) {
  const [detail, setDetail] = useState<SpanDetail | null>(null);
  const [error, setError] = useState("");
  const prefs = usePrefs();
  const id = spanId(m, span);
  useEffect(() => {
    const ac = new AbortController();
    setDetail(null);
    setError("");
    getJson<{ spans: SpanDetail[] }>(`/api/v1/traces/${m.traceId}/spans?ids=${id}`, ac.signal)
      .then((r) => setDetail(r.spans[0] ?? null))
      .catch((e) => !ac.signal.aborted && setError(String(e.message ?? e)));
    return () => ac.abort();
  }, [m.traceId, id]);
  const startMs = nsToMs(m.startNs) + m.start[span] / 1e6;
  const link = `${location.origin}/trace/${m.traceId}?span=${id}`;
  return (
    <aside class="span-panel" aria-label="span details">
      <div class="sp-head">
        <h3>
          {m.services[m.service[span]]} <span class="muted">{m.operations[m.operation[span]]}</span>
        </h3>
        <button onClick={onClose} aria-label="close details" title="close (esc)">✕</button>
      </div>
      <div class="sp-ids">
        <span class="mono">{id}</span> <CopyButton text={id} label="copy span id" />{" "}
        <CopyButton text={link} label="copy link" />
      </div>
      <table class="kv">
        <tbody>
          <tr><th>start</th><td>{fmtTime(startMs, prefs.utc)} <span class="muted">(+{fmtDuration(m.start[span])} into the trace)</span></td></tr>
          <tr><th>duration</th><td>{fmtDuration(m.duration[span])}{detail ? <span class="muted"> · self {fmtDuration(detail.self_ns)}</span> : null}</td></tr>
          <tr><th>status</th><td class={m.status[span] === 2 ? "err" : ""}>{detail?.status.code ?? ["unset", "ok", "error"][m.status[span]]}{detail?.status.message ? `: ${detail.status.message}` : ""}</td></tr>
          <tr><th>kind</th><td>{detail?.kind ?? m.kind[span]}</td></tr>
          {detail?.parent_span_id && <tr><th>parent</th><td class="mono">{detail.parent_span_id}</td></tr>}
        </tbody>
      </table>
      {(m.flags[span] & FLAG_SKEWED) !== 0 && <div class="error-box">Clock skew: this span's times were shifted to fit inside its parent.</div>}
      {detail?.warnings?.map((w) => <div class="error-box" key={w}>{w}</div>)}
      {error && <div class="error-box">{error}</div>}
      {!detail && !error && <p class="muted">loading…</p>}
      {detail && (
        <>
          <Attrs title="Attributes" attrs={detail.attributes} />
          {detail.events.length > 0 && (
            <section>
              <h4>Events</h4>
              {detail.events.map((e, k) => (
                <div key={k} class="sp-event">
                  <span class="mono muted">+{fmtDuration(e.time_ns - Number(m.startNs) )}</span> {e.name}
                  <Attrs title="" attrs={e.attributes} />
                </div>
              ))}
            </section>
          )}
          {detail.links.length > 0 && (
            <section>
              <h4>Links</h4>
              {detail.links.map((l, k) => (
                <div key={k}>
                  <a href={`/trace/${l.trace_id}?span=${l.span_id}`} class="mono">{l.trace_id.slice(0, 16)}…/{l.span_id}</a>
                </div>
              ))}
            </section>
          )}
          <Attrs title="Resource" attrs={detail.resource} />
          {detail.scope.name && <p class="muted">scope {detail.scope.name} {detail.scope.version}</p>}
        </>
      )}
    </aside>
  );
}
