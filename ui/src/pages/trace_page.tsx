// /trace/{id}[?span=…&find=…]: the trace page. Loads the skeleton once and
// derives every view from it; span details, log bodies and attribute/log
// matches are fetched on demand.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { getJson, getOptional, type Explanation, type RootCauses } from "../api";
import { buildModel, spanId, type SkeletonJson, type TraceModel } from "../lib/skeleton";
import { visibleRows, rowOfSpan } from "../lib/visible";
import * as collapse from "../lib/collapse";
import { findLocal, mergeServerMatches, sortedMatches, step, type FindServerAnswer } from "../lib/find";
import { selfTimes, selfTimeTable } from "../lib/selftime";
import { fromExplain, fromRootCauses, fromSkeleton, type PanelCause } from "../lib/causes";
import type { LogRecord } from "../lib/logs";
import type { Window } from "../lib/critical";
import { parseDuration } from "../lib/format";
import { setParams } from "../router";
import { TraceHeader } from "./trace_header";
import { CausePanel } from "./cause_panel";
import { Minimap } from "./minimap";
import { Waterfall } from "./waterfall";
import { SpanPanel } from "./span_panel";
import { LogsTab } from "./logs_tab";
import { SelfTimeTab } from "./selftime_tab";
import { TraceToolbar } from "./trace_toolbar";

// Traces up to this size are small enough to fetch whole for the
// assembler's root_causes when `explain` is not there.
const WHOLE_TRACE_LIMIT = 5000;

type Tab = "waterfall" | "logs" | "self";

function useCauses(m: TraceModel | null, self: Float64Array | null) {
  const [state, setState] = useState<{ causes: PanelCause[] | null; source: string; summary: string }>({ causes: null, source: "", summary: "" });
  useEffect(() => {
    if (!m || !self) return;
    const ac = new AbortController();
    (async () => {
      const ex = await getOptional<Explanation>(`/api/v1/traces/${m.traceId}/explain`, ac.signal).catch(() => null);
      if (ex && Array.isArray(ex.causes)) return setState({ causes: fromExplain(m, ex), source: "explain", summary: ex.summary ?? "" });
      if (m.n <= WHOLE_TRACE_LIMIT) {
        const t = await getJson<{ root_causes: RootCauses }>(`/api/v1/traces/${m.traceId}`, ac.signal);
        return setState({ causes: fromRootCauses(m, t.root_causes), source: "deepest error, largest self time", summary: "" });
      }
      setState({ causes: fromSkeleton(m, self), source: "deepest error, largest self time", summary: "" });
    })().catch(() => !ac.signal.aborted && setState({ causes: fromSkeleton(m, self), source: "deepest error, largest self time", summary: "" }));
    return () => ac.abort();
  }, [m, self]);
  return state;
}

export function TracePage({ id, search }: { id: string; search: URLSearchParams }) {
  const [m, setModel] = useState<TraceModel | null>(null);
  const [error, setError] = useState("");
  const [collapsed, setCollapsed] = useState<Uint8Array>(new Uint8Array(0));
  const [criticalOnly, setCriticalOnly] = useState(false);
  const [openLogs, setOpenLogs] = useState<Set<number>>(new Set());
  const [logsBySpan, setLogsBySpan] = useState<Map<number, LogRecord[]>>(new Map());
  const [selected, setSelected] = useState(-1);
  const [findText, setFindText] = useState(search.get("find") ?? "");
  const [matches, setMatches] = useState<Set<number>>(new Set());
  const [logMatches, setLogMatches] = useState(0);
  const [current, setCurrent] = useState(-1);
  const [win, setWin] = useState<Window>({ from: 0, to: 1 });
  const [tab, setTab] = useState<Tab>("waterfall");
  const [focus, setFocus] = useState({ row: -1, nonce: 0 });
  const pendingFocus = useRef(-1);
  const findInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const ac = new AbortController();
    setModel(null);
    setError("");
    getJson<SkeletonJson>(`/api/v1/traces/${id}/skeleton`, ac.signal, "callpath:skeleton")
      .then((s) => {
        const model = buildModel(s);
        performance.mark("callpath:model");
        setModel(model);
        setCollapsed(new Uint8Array(model.n));
        setWin({ from: 0, to: model.durationNs || 1 });
        const want = search.get("span");
        const at = want ? model.idIndex.get(want) : undefined;
        if (at !== undefined) {
          setSelected(at);
          pendingFocus.current = at;
        }
      })
      .catch((e) => !ac.signal.aborted && setError(e.status === 404 ? `Trace ${id} was not found.` : String(e.message ?? e)));
    return () => ac.abort();
  }, [id]);

  useEffect(() => {
    document.title = m ? `${m.rootService}: ${m.rootOperation} (${id.slice(0, 8)}) — callpath` : `trace ${id.slice(0, 8)} — callpath`;
  }, [m, id]);

  // Self times (a pass over the whole trace) after the first rows are on
  // screen: only the cause panel and the self-time tab need them.
  const [self, setSelf] = useState<Float64Array | null>(null);
  useEffect(() => {
    setSelf(null);
    if (!m) return;
    const t = setTimeout(() => setSelf(selfTimes(m)), 0);
    return () => clearTimeout(t);
  }, [m]);
  const table = useMemo(() => (m && self && tab === "self" ? selfTimeTable(m, self) : []), [m, self, tab === "self"]);
  const causes = useCauses(m, self);
  const rows = useMemo(() => (m ? visibleRows(m, { collapsed, criticalOnly, openLogs }) : null), [m, collapsed, criticalOnly, openLogs]);
  const matchList = useMemo(() => sortedMatches(matches), [matches]);

  // A span asked to be shown: once the rows include it, scroll to it.
  useEffect(() => {
    if (!rows || pendingFocus.current < 0) return;
    const r = rowOfSpan(rows, pendingFocus.current);
    pendingFocus.current = -1;
    if (r >= 0) setFocus((f) => ({ row: r, nonce: f.nonce + 1 }));
  }, [rows]);

  // Find: names at once, attributes and log bodies from the server.
  useEffect(() => {
    if (!m) return;
    const local = findLocal(m, findText);
    setMatches((prev) => (prev.size === 0 && local.size === 0 ? prev : local));
    setLogMatches(0);
    if ((new URLSearchParams(location.search).get("find") ?? "") !== findText) setParams({ find: findText || null });
    if (!findText.trim()) return;
    const ac = new AbortController();
    const timer = setTimeout(() => {
      getJson<FindServerAnswer>(`/api/v1/traces/${m.traceId}/find?q=${encodeURIComponent(findText.trim())}`, ac.signal)
        .then((a) => {
          setMatches(mergeServerMatches(m, local, a));
          setLogMatches(a.log_matches);
        })
        .catch(() => undefined);
    }, 200);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [m, findText]);

  const show = (span: number, select = true) => {
    if (!m || span < 0) return;
    setTab("waterfall");
    setCriticalOnly((c) => c && (m.flags[span] & 1) !== 0);
    setCollapsed((c) => collapse.reveal(m, c, span));
    if (select) {
      setSelected(span);
      setParams({ span: spanId(m, span) });
    }
    setCurrent(span);
    pendingFocus.current = span;
    // The rows may not change (already visible): focus now as well.
    if (rows) {
      const r = rowOfSpan(rows, span);
      if (r >= 0) setFocus((f) => ({ row: r, nonce: f.nonce + 1 }));
    }
  };

  const toggleLogs = (span: number) => {
    if (!m) return;
    const next = new Set(openLogs);
    if (next.has(span)) next.delete(span);
    else next.add(span);
    setOpenLogs(next);
    if (!logsBySpan.has(span)) {
      getJson<{ logs: LogRecord[] }>(`/api/v1/traces/${m.traceId}/logs?span=${spanId(m, span)}&limit=5000`)
        .then((r) => setLogsBySpan((prev) => new Map(prev).set(span, r.logs)))
        .catch(() => undefined);
    }
  };

  const actions = m && rows && {
    expandAll: () => setCollapsed(collapse.expandAll(m)),
    collapseAll: () => setCollapsed(collapse.collapseAll(m)),
    expandOne: () => setCollapsed((c) => collapse.expandOneLevel(m, c)),
    collapseOne: () => setCollapsed((c) => collapse.collapseOneLevel(m, c)),
    collapseBelow: (text: string) => {
      const ns = parseDuration(text);
      if (isFinite(ns)) setCollapsed(collapse.collapseBelowDuration(m, ns));
    },
    collapseService: (svc: number) => setCollapsed((c) => collapse.collapseService(m, c, svc)),
    nextError: (dir: 1 | -1) => show(step(m.errorSpans, current >= 0 ? current : selected, dir)),
    // With no find matches, f / b walk the visible spans (as in Jaeger).
    nextMatch: (dir: 1 | -1) => {
      const from = current >= 0 ? current : selected;
      if (matchList.length > 0) return show(step(matchList, from, dir));
      const r = from >= 0 ? rowOfSpan(rows, from) : -1;
      for (let k = r + dir; k >= 0 && k < rows.length; k += dir) {
        if (rows.rowLog[k] < 0) return show(rows.rowSpan[k]);
      }
    },
  };

  useEffect(() => {
    if (!actions || !m) return;
    const onKey = (e: KeyboardEvent) => {
      const typing = (e.target as HTMLElement)?.closest?.("input, select, textarea");
      if (e.key === "Escape") {
        if (typing) (e.target as HTMLElement).blur();
        if (findText) setFindText("");
        else setSelected(-1);
        return;
      }
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
      const keys: Record<string, () => void> = {
        "]": actions.collapseAll,
        "[": actions.expandAll,
        p: actions.collapseOne,
        o: actions.expandOne,
        f: () => actions.nextMatch(1),
        b: () => actions.nextMatch(-1),
        e: () => actions.nextError(1),
        E: () => actions.nextError(-1),
        "/": () => findInput.current?.focus(),
      };
      const fn = keys[e.key];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (error) return <div class="page"><div class="error-box">{error}</div><a href="/search">Search traces</a></div>;
  if (!m || !rows || !actions) return <div class="page muted">Loading trace {id}…</div>;
  const errorPos = m.errorSpans.indexOf(current);
  const matchPos = matchList.indexOf(current);
  return (
    <div class="trace-page">
      <TraceHeader m={m} />
      <CausePanel m={m} causes={causes.causes} source={causes.source} summary={causes.summary} self={self} onFocus={(s) => show(s)} />
      <div class="tabs" role="tablist">
        {(["waterfall", "logs", "self"] as Tab[]).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} class={tab === t ? "active" : ""} onClick={() => setTab(t)}>
            {t === "waterfall" ? "Waterfall" : t === "logs" ? `Logs (${m.logCount})` : "Self time"}
          </button>
        ))}
      </div>
      {tab === "logs" && <LogsTab m={m} onFocus={(s) => show(s)} />}
      {tab === "self" && <SelfTimeTab rows={table} onFind={(t) => { setFindText(t); setTab("waterfall"); }} />}
      {tab === "waterfall" && (
        <div class="trace-body">
          <div class="trace-main">
            <TraceToolbar m={m} actions={actions} criticalOnly={criticalOnly} setCriticalOnly={setCriticalOnly}
              errorPos={errorPos} findText={findText} setFindText={setFindText} findInput={findInput}
              matchCount={matches.size} matchPos={matchPos} logMatches={logMatches}
              zoomed={win.from > 0 || win.to < m.durationNs} resetZoom={() => setWin({ from: 0, to: m.durationNs || 1 })} />
            <Minimap m={m} window={win} onZoom={setWin} />
            <Waterfall m={m} rows={rows} window={win} collapsed={collapsed} openLogs={openLogs} logsBySpan={logsBySpan}
              selected={selected} matches={matches} focus={focus} nameWidth={Math.min(560, 360 + m.maxDepth * 14)}
              onSelect={(s) => { setSelected(s); setCurrent(s); setParams({ span: spanId(m, s) }); }}
              onToggle={(s) => setCollapsed((c) => { const n = c.slice(); n[s] = n[s] ? 0 : 1; return n; })}
              onToggleLogs={toggleLogs} />
          </div>
          {selected >= 0 && <SpanPanel m={m} span={selected} onClose={() => { setSelected(-1); setParams({ span: null }); }} />}
        </div>
      )}
    </div>
  );
}
