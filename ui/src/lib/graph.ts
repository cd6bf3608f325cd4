// The service dependency graph: edges from /api/v1/dependencies, narrowed
// to a focal service and the services within N calls of it.
import { fmtDuration } from "./format";

export interface Edge {
  parent: string;
  child: string;
  calls: number;
  errors: number;
  // 99th percentile of the callee's span durations; null when the server
  // does not give it.
  p99Ns: number | null;
}

export interface DependencyJson {
  parent: string;
  child: string;
  call_count: number;
  error_count?: number;
  p99_ns?: number;
}

export function edgeOf(d: DependencyJson): Edge {
  return { parent: d.parent, child: d.child, calls: d.call_count, errors: d.error_count ?? 0, p99Ns: d.p99_ns ?? null };
}

// An edge's figures in two short lines: calls and error rate; p99.
export function edgeLabel(e: Edge): [string, string] {
  const rate = e.calls ? (100 * e.errors) / e.calls : 0;
  const pct = e.errors === 0 ? "0" : rate < 0.1 ? "<0.1" : rate < 10 ? rate.toFixed(1) : Math.round(rate).toString();
  return [`${e.calls.toLocaleString("en")} calls, ${pct} % errors`, e.p99Ns === null ? "" : `p99 ${fmtDuration(e.p99Ns)}`];
}

export function neighbourhood(edges: Edge[], focus: string, hops: number): Edge[] {
  if (!focus) return edges;
  const keep = new Set([focus]);
  let frontier = new Set([focus]);
  for (let h = 0; h < hops; h++) {
    const next = new Set<string>();
    for (const e of edges) {
      if (frontier.has(e.parent) && !keep.has(e.child)) next.add(e.child);
      if (frontier.has(e.child) && !keep.has(e.parent)) next.add(e.parent);
    }
    next.forEach((s) => keep.add(s));
    frontier = next;
  }
  return edges.filter((e) => keep.has(e.parent) && keep.has(e.child));
}

export function servicesOf(edges: Edge[]): string[] {
  const s = new Set<string>();
  for (const e of edges) {
    s.add(e.parent);
    s.add(e.child);
  }
  return Array.from(s).sort();
}
