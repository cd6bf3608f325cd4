// The trace at a glance: root, absolute start (UTC or local), duration,
// services, depth, spans, errors; copy the id, download the JSON.
import type { TraceModel } from "../lib/skeleton";
import { fmtDuration, fmtTime, nsToMs } from "../lib/format";
import { setPrefs, usePrefs } from "../prefs";
import { CopyButton } from "./copy";
import { serviceColor } from "./colors";
import { apiFetch } from "../api";

// Through apiFetch, so the download carries the session's API key.
async function download(e: Event, traceId: string) {
  e.preventDefault();
  const r = await apiFetch(`/api/v1/traces/${traceId}`, { headers: { Accept: "application/json" } });
  if (!r.ok) return;
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = `trace-${traceId}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function TraceHeader({ m }: { m: TraceModel }) {
  const prefs = usePrefs();
  return (
    <section class="trace-header">
      <h1>
        <span class="dot" style={{ background: serviceColor(m.rootService) }} />
        {m.rootService} <span class="muted">{m.rootOperation}</span>
      </h1>
      <div class="figures">
        <span title="when the trace started">
          {fmtTime(nsToMs(m.startNs), prefs.utc)}{" "}
          <button class="small" title="switch between UTC and local time" onClick={() => setPrefs({ utc: !prefs.utc })}>
            {prefs.utc ? "show local" : "show UTC"}
          </button>
        </span>
        <span><b>{fmtDuration(m.durationNs)}</b> duration</span>
        <span><b>{m.services.length}</b> services</span>
        <span><b>{m.maxDepth + 1}</b> depth</span>
        <span><b>{m.n.toLocaleString()}</b> spans</span>
        <span class={m.errorCount ? "err" : ""}><b>{m.errorCount}</b> errors</span>
        <span><b>{m.logCount}</b> logs{m.logsWithoutSpan ? ` (${m.logsWithoutSpan} without their span)` : ""}</span>
        <span class="mono trace-id">{m.traceId}</span>
        <CopyButton text={m.traceId} label="copy trace id" />
        <a href={`/api/v1/traces/${m.traceId}`} download={`trace-${m.traceId}.json`} onClick={(e) => download(e, m.traceId)}>download JSON</a>
      </div>
    </section>
  );
}
