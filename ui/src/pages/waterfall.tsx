// The waterfall: one row per visible span (and per opened log record),
// windowed so the DOM holds only the rows on screen plus a few, whatever the
// trace's size. Bars are placed in the zoom window; the critical path is a
// band on the bar, log records are ticks coloured by severity.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { TraceModel } from "../lib/skeleton";
import { isCritical, isError, spanId, FLAG_SKEWED, FLAG_ORPHAN } from "../lib/skeleton";
import type { RowList } from "../lib/visible";
import { criticalBands, toBand, type Window } from "../lib/critical";
import { placeTicks, severityClass, type LogRecord } from "../lib/logs";
import { fmtDuration } from "../lib/format";
import { serviceColor } from "./colors";

export const ROW_HEIGHT = 24;
const OVERSCAN = 8;

export interface WaterfallProps {
  m: TraceModel;
  rows: RowList;
  window: Window;
  collapsed: Uint8Array;
  openLogs: Set<number>;
  logsBySpan: Map<number, LogRecord[]>;
  selected: number;
  matches: Set<number>;
  focus: { row: number; nonce: number };
  nameWidth: number;
  onSelect(span: number): void;
  onToggle(span: number): void;
  onToggleLogs(span: number): void;
}

function Ruler({ w, nameWidth }: { w: Window; nameWidth: number }) {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div class="wf-ruler" style={{ paddingLeft: nameWidth + "px" }}>
      <div class="wf-ruler-in">
        {ticks.map((t) => (
          <span key={t} style={{ left: `${t * 100}%` }} class={t === 1 ? "last" : ""}>
            {fmtDuration(w.from + (w.to - w.from) * t)}
          </span>
        ))}
      </div>
    </div>
  );
}

function SpanRow(p: WaterfallProps & { span: number; top: number }) {
  const { m, span: i } = p;
  const svc = m.services[m.service[i]];
  const band = toBand(p.window, m.start[i], m.start[i] + m.duration[i]);
  const hidden = p.collapsed[i] ? m.errorsBelow[i] : 0;
  const err = isError(m, i);
  const cls = ["wf-row", i === p.selected ? "selected" : "", p.matches.has(i) ? "match" : "", err ? "error" : "", isCritical(m, i) ? "crit" : ""].join(" ");
  const warn = m.flags[i] & (FLAG_SKEWED | FLAG_ORPHAN);
  return (
    <div class={cls} style={{ top: p.top + "px" }} role="row" aria-selected={i === p.selected} data-span={spanId(m, i)}
      onClick={() => p.onSelect(i)}>
      <div class="wf-name" style={{ width: p.nameWidth + "px", paddingLeft: 4 + m.depth[i] * 14 + "px" }}>
        {m.children[i] > 0 ? (
          <button class="wf-toggle" aria-label={p.collapsed[i] ? "expand" : "collapse"} aria-expanded={!p.collapsed[i]}
            onClick={(e) => { e.stopPropagation(); p.onToggle(i); }}>
            {p.collapsed[i] ? "▸" : "▾"}
          </button>
        ) : (
          <span class="wf-toggle-space" />
        )}
        <span class="dot" style={{ background: serviceColor(svc) }} />
        <span class="wf-svc">{svc}</span> <span class="wf-op">{m.operations[m.operation[i]]}</span>
        {err && <span class="wf-badge err" title="this span failed">error</span>}
        {hidden > 0 && <span class="wf-badge err" title="erroring spans inside this collapsed span">{hidden} ▾err</span>}
        {p.collapsed[i] ? <span class="wf-badge muted">{m.end[i] - i - 1}</span> : null}
        {warn ? <span class="wf-badge warn" title={m.flags[i] & FLAG_ORPHAN ? "parent span missing" : "clock skew corrected"}>!</span> : null}
        {m.logs[i] > 0 && (
          <button class={"wf-logs" + (p.openLogs.has(i) ? " on" : "")} title="show this span's log records"
            onClick={(e) => { e.stopPropagation(); p.onToggleLogs(i); }}>
            {m.logs[i]} log{m.logs[i] > 1 ? "s" : ""}
          </button>
        )}
      </div>
      <div class="wf-track">
        {band && (
          <div class={"wf-bar" + (err ? " error" : "")} style={{ left: band.left + "%", width: band.width + "%", background: serviceColor(svc) }}>
            {criticalBands(m.critical.get(i), p.window).map((c, k) => (
              <span key={k} class="wf-crit" style={{ left: ((c.left - band.left) / band.width) * 100 + "%", width: (c.width / band.width) * 100 + "%" }} />
            ))}
          </div>
        )}
        {placeTicks(m.ticks.get(i), p.window).map((t, k) => (
          <span key={"t" + k} class={"wf-tick sev-" + t.severity} style={{ left: t.left + "%" }} />
        ))}
        {band && (
          <span class="wf-dur" style={band.left > 70 ? { right: 100 - band.left + 0.5 + "%" } : { left: band.left + band.width + 0.5 + "%" }}>
            {fmtDuration(m.duration[i])}
          </span>
        )}
      </div>
    </div>
  );
}

function LogRow(p: WaterfallProps & { span: number; log: number; top: number }) {
  const rec = p.logsBySpan.get(p.span)?.[p.log];
  const off = rec ? rec.time_ns - Number(p.m.startNs) : 0;
  return (
    <div class="wf-row wf-logrow" style={{ top: p.top + "px" }} role="row">
      <div class="wf-logtext" style={{ paddingLeft: 24 + p.m.depth[p.span] * 14 + "px" }}>
        {rec ? (
          <>
            <span class="mono muted">+{fmtDuration(off)}</span>{" "}
            <span class={"mono sev-" + severityClass(rec.severity_number)}>{rec.level || "-"}</span>{" "}
            <span class="wf-logmsg">{rec.msg}</span>
          </>
        ) : (
          <span class="muted">loading…</span>
        )}
      </div>
    </div>
  );
}

export function Waterfall(p: WaterfallProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState(0);
  const [height, setHeight] = useState(600);
  const frame = useRef(0);
  useLayoutEffect(() => {
    const el = box.current!;
    // The observer reports the size without forcing a layout here.
    const ro = new ResizeObserver((entries) => setHeight(entries[0].contentRect.height));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // For the benchmark (bench/ui): when the first rows were in the page.
  useLayoutEffect(() => {
    if (performance.getEntriesByName("callpath:first-rows").length === 0) performance.mark("callpath:first-rows");
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!el || p.focus.row < 0) return;
    const top = p.focus.row * ROW_HEIGHT;
    if (top < el.scrollTop || top + ROW_HEIGHT > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, top - el.clientHeight / 3);
      setScroll(el.scrollTop);
    }
  }, [p.focus.nonce]);
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (box.current) setScroll(box.current.scrollTop);
    });
  };
  const first = Math.max(0, Math.floor(scroll / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(p.rows.length, Math.ceil((scroll + height) / ROW_HEIGHT) + OVERSCAN);
  const out = [];
  for (let r = first; r < last; r++) {
    const span = p.rows.rowSpan[r];
    const log = p.rows.rowLog[r];
    out.push(log < 0 ? <SpanRow key={"s" + span} {...p} span={span} top={r * ROW_HEIGHT} />
      : <LogRow key={`l${span}-${log}`} {...p} span={span} log={log} top={r * ROW_HEIGHT} />);
  }
  return (
    <div class="wf">
      <Ruler w={p.window} nameWidth={p.nameWidth} />
      <div class="wf-scroll" ref={box} onScroll={onScroll} role="grid" aria-rowcount={p.rows.length} tabIndex={0}>
        <div class="wf-canvas" style={{ height: p.rows.length * ROW_HEIGHT + "px" }}>
          {out}
        </div>
      </div>
    </div>
  );
}
