// The waterfall's controls: collapse rules, critical path only, previous/
// next error, find with its count, zoom reset. Keys as in Jaeger: ] [ p o
// f b / esc (and e / E for the next / previous error).
import { useState } from "preact/hooks";
import type { RefObject } from "preact";
import type { TraceModel } from "../lib/skeleton";

export interface ToolbarActions {
  expandAll(): void;
  collapseAll(): void;
  expandOne(): void;
  collapseOne(): void;
  collapseBelow(text: string): void;
  collapseService(svc: number): void;
  nextError(dir: 1 | -1): void;
  nextMatch(dir: 1 | -1): void;
}

export function TraceToolbar(p: {
  m: TraceModel;
  actions: ToolbarActions;
  criticalOnly: boolean;
  setCriticalOnly(v: boolean): void;
  errorPos: number;
  findText: string;
  setFindText(t: string): void;
  findInput: RefObject<HTMLInputElement | null>;
  matchCount: number;
  matchPos: number;
  logMatches: number;
  zoomed: boolean;
  resetZoom(): void;
}) {
  const [below, setBelow] = useState("1ms");
  const a = p.actions;
  return (
    <div class="toolbar trace-toolbar">
      <button onClick={a.expandAll} title="expand all ([)">Expand all</button>
      <button onClick={a.collapseAll} title="collapse all (])">Collapse all</button>
      <button onClick={a.expandOne} title="open one more level (o)">+1 level</button>
      <button onClick={a.collapseOne} title="close the deepest open level (p)">−1 level</button>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); a.collapseBelow(below); }}>
        <label class="inline" title="hide the inside of spans shorter than this">
          collapse &lt; <input size={5} value={below} aria-label="collapse spans shorter than" onInput={(e) => setBelow((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <select aria-label="collapse a service" value="" onChange={(e) => { const v = (e.target as HTMLSelectElement).value; if (v) a.collapseService(+v); }}>
        <option value="">collapse service…</option>
        {p.m.services.map((s, k) => <option key={s} value={k}>{s}</option>)}
      </select>
      <span class="sep" />
      <button class={p.criticalOnly ? "on" : ""} aria-pressed={p.criticalOnly} onClick={() => p.setCriticalOnly(!p.criticalOnly)}
        title="show only the spans the trace waited on">Critical path only</button>
      <span class="sep" />
      <button onClick={() => a.nextError(-1)} disabled={p.m.errorSpans.length === 0} title="previous error (E)">◀ error</button>
      <span class={"muted" + (p.m.errorSpans.length ? " err" : "")} aria-live="polite">
        {p.errorPos >= 0 ? `${p.errorPos + 1}/` : ""}{p.m.errorSpans.length} errors
      </span>
      <button onClick={() => a.nextError(1)} disabled={p.m.errorSpans.length === 0} title="next error (e)">error ▶</button>
      <span class="sep" />
      <input ref={p.findInput} class="find" type="search" placeholder="find (/): service, operation, attribute, log text"
        aria-label="find in trace" value={p.findText} size={34}
        onInput={(e) => p.setFindText((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => { if (e.key === "Enter") a.nextMatch(e.shiftKey ? -1 : 1); }} />
      <button onClick={() => a.nextMatch(-1)} disabled={!p.matchCount} title="previous match (b)">▲</button>
      <button onClick={() => a.nextMatch(1)} disabled={!p.matchCount} title="next match (f)">▼</button>
      <span class="muted find-count" aria-live="polite">
        {p.findText ? `${p.matchPos >= 0 ? p.matchPos + 1 + " of " : ""}${p.matchCount} spans${p.logMatches ? `, ${p.logMatches} log lines` : ""}` : ""}
      </span>
      {p.zoomed && <button onClick={p.resetZoom}>Reset zoom</button>}
    </div>
  );
}
