// The cause on top of the trace page: ranked causes with their evidence,
// each a click away from its span.
import type { PanelCause } from "../lib/causes";
import { fmtDuration } from "../lib/format";
import type { TraceModel } from "../lib/skeleton";

export function CausePanel({ m, causes, source, summary, self, onFocus }: {
  m: TraceModel;
  causes: PanelCause[] | null;
  source: string;
  summary: string;
  self: Float64Array | null;
  onFocus(span: number): void;
}) {
  if (!causes) return <section class="cause-panel muted">Finding the cause…</section>;
  const errors = causes.filter((c) => c.kind !== "latency");
  const shown = (errors.length > 0 ? errors.slice(0, 3) : causes.slice(0, 2));
  return (
    <section class="cause-panel" aria-label="likely cause">
      <div class="cause-head">
        <strong>Likely cause</strong>
        {summary && <span> — {summary}</span>}
        <span class="muted cause-source"> ({source})</span>
      </div>
      {shown.length === 0 && <div class="muted">No erroring span and no outlier in this trace.</div>}
      <ol class="cause-list">
        {shown.map((c) => (
          <li key={c.rank} class={"cause cause-" + c.kind}>
            <span class="chip">{c.kind}</span>{" "}
            {c.span >= 0 ? (
              <button class="linklike cause-span" onClick={() => onFocus(c.span)} title="show this span">
                {c.service} {c.operation ?? ""}
              </button>
            ) : (
              <strong>{c.service} {c.operation ?? "(no span)"}</strong>
            )}
            {c.span >= 0 && <span class="muted"> · {fmtDuration(m.duration[c.span])}{self && `, self ${fmtDuration(self[c.span])}`}</span>}
            <div class="cause-summary">{c.summary}</div>
            {c.evidence.length > 0 && (
              <ul class="evidence">
                {c.evidence.slice(0, 4).map((e, k) => <li key={k}>{e}</li>)}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
