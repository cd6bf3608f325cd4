// /services: the dependency graph of a time window (calls, error rate and
// the callee's p99 duration on the edges),
// optionally around one service and its N-hop neighbours; a click on a
// service searches its traces. RED figures per service when the server
// has /api/v1/metrics.
import { useEffect, useMemo, useState } from "preact/hooks";
import dagre from "@dagrejs/dagre";
import { getJson } from "../api";
import { edgeLabel, edgeOf, neighbourhood, servicesOf, type DependencyJson, type Edge } from "../lib/graph";
import { navigate, setParams } from "../router";
import { serviceColor } from "./colors";
import { RedFigures } from "./red_figures";

const NODE_W = 170;
const NODE_H = 36;

function layout(edges: Edge[]) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const s of servicesOf(edges)) g.setNode(s, { width: NODE_W, height: NODE_H });
  for (const e of edges) if (e.parent !== e.child) g.setEdge(e.parent, e.child, { edge: e, width: 150, height: 30, labelpos: "c" });
  dagre.layout(g);
  return g;
}

export function ServicesPage({ search }: { search: URLSearchParams }) {
  const lookback = search.get("lookback") ?? "24h";
  const focus = search.get("focus") ?? "";
  const hops = parseInt(search.get("hops") ?? "1", 10);
  const [edges, setEdges] = useState<Edge[] | null>(null);
  const [error, setError] = useState("");
  const [hasMetrics, setHasMetrics] = useState<boolean | null>(null);
  useEffect(() => { document.title = "Services — callpath"; }, []);
  useEffect(() => {
    setEdges(null);
    getJson<{ dependencies: DependencyJson[] }>(`/api/v1/dependencies?lookback=${lookback}`)
      .then((r) => setEdges(r.dependencies.map(edgeOf)))
      .catch((e) => setError(String(e.message ?? e)));
  }, [lookback]);
  useEffect(() => {
    // An unknown path is "unknown API path"; any other answer means the
    // endpoint exists (a 400 for the probe's parameters included).
    getJson<unknown>(`/api/v1/metrics?service=${encodeURIComponent(focus || "_")}&lookback=5m`)
      .then(() => setHasMetrics(true))
      .catch((e) => setHasMetrics(!(e.status === 501 || (e.status === 404 && String(e.message).startsWith("unknown API path")))));
  }, []);
  const shown = useMemo(() => (edges ? neighbourhood(edges, focus, hops) : []), [edges, focus, hops]);
  const g = useMemo(() => layout(shown), [shown]);
  const all = edges ? servicesOf(edges) : [];
  const gw = (g.graph().width ?? 400) + 40;
  const gh = (g.graph().height ?? 200) + 40;
  return (
    <div class="page services-page">
      <div class="toolbar">
        <label class="inline">window
          <select value={lookback} onChange={(e) => setParams({ lookback: (e.target as HTMLSelectElement).value })}>
            {["15m", "1h", "6h", "24h", "168h"].map((l) => <option key={l} value={l}>last {l === "168h" ? "7d" : l}</option>)}
          </select>
        </label>
        <label class="inline">around
          <select value={focus} onChange={(e) => setParams({ focus: (e.target as HTMLSelectElement).value })}>
            <option value="">every service</option>
            {all.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label class="inline">hops
          <input type="number" min={1} max={6} value={hops} style={{ width: "4em" }} onInput={(e) => setParams({ hops: (e.target as HTMLInputElement).value })} />
        </label>
        <span class="muted">{edges ? `${servicesOf(shown).length} services, ${shown.length} edges` : "loading…"}</span>
      </div>
      {error && <div class="error-box">{error}</div>}
      {edges && edges.length === 0 && <p class="muted">No calls between services in this window.</p>}
      <svg class="graph" width={gw} height={gh} role="img" aria-label="service dependency graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
          </marker>
        </defs>
        {g.edges().map((e) => {
          const ed = g.edge(e);
          const pts = ed.points ?? [];
          const d = pts.map((p: { x: number; y: number }, k: number) => `${k ? "L" : "M"}${p.x},${p.y}`).join(" ");
          const at = { x: ed.x ?? 0, y: ed.y ?? 0 };
          const edge: Edge = ed.edge;
          const [calls, p99] = edgeLabel(edge);
          return (
            <g key={e.v + "->" + e.w} class={"edge" + (edge.errors ? " has-errors" : "")} data-edge={`${e.v}->${e.w}`}>
              <title>{`${e.v} → ${e.w}: ${calls}${p99 ? ", " + p99 : ""}`}</title>
              <path d={d} fill="none" stroke="currentColor" marker-end="url(#arrow)" />
              <text x={at.x} y={at.y - 3} text-anchor="middle" class="edge-label">{calls}</text>
              {p99 && <text x={at.x} y={at.y + 11} text-anchor="middle" class="edge-label">{p99}</text>}
            </g>
          );
        })}
        {g.nodes().map((n) => {
          const nd = g.node(n);
          return (
            <g key={n} class={"node" + (n === focus ? " focal" : "")} transform={`translate(${nd.x - NODE_W / 2},${nd.y - NODE_H / 2})`}
              tabIndex={0} role="link" aria-label={`search traces of ${n}`}
              onClick={() => navigate(`/search?service=${encodeURIComponent(n)}`)}
              onKeyDown={(e) => e.key === "Enter" && navigate(`/search?service=${encodeURIComponent(n)}`)}>
              <rect width={NODE_W} height={NODE_H} rx={6} style={{ stroke: serviceColor(n) }} />
              <text x={NODE_W / 2} y={NODE_H / 2 + 5} text-anchor="middle">{n}</text>
            </g>
          );
        })}
      </svg>
      {hasMetrics && <RedFigures services={servicesOf(shown).length ? servicesOf(shown) : all} lookback={lookback} />}
      {hasMetrics === false && <p class="muted">Rate, errors and duration per service appear here when the server provides /api/v1/metrics.</p>}
    </div>
  );
}
