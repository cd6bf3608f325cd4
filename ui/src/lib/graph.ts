// The service dependency graph: edges from /api/v1/dependencies, narrowed
// to a focal service and the services within N calls of it.

export interface Edge {
  parent: string;
  child: string;
  calls: number;
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
