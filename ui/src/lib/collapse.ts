// The collapse rules of the waterfall. Every function returns a new
// `collapsed` array (1 = the span's children are hidden); spans without
// children are never marked.
import type { TraceModel } from "./skeleton";

export function expandAll(m: TraceModel): Uint8Array {
  return new Uint8Array(m.n);
}

export function collapseAll(m: TraceModel): Uint8Array {
  const c = new Uint8Array(m.n);
  for (let i = 0; i < m.n; i++) if (m.children[i] > 0) c[i] = 1;
  return c;
}

// Spans shown with `collapsed`, as a predicate over tree order.
function forEachShown(m: TraceModel, collapsed: Uint8Array, fn: (i: number) => void) {
  let i = 0;
  while (i < m.n) {
    fn(i);
    i = collapsed[i] ? m.end[i] : i + 1;
  }
}

// Jaeger's "p": hide the deepest level that is open.
export function collapseOneLevel(m: TraceModel, collapsed: Uint8Array): Uint8Array {
  let deepest = -1;
  forEachShown(m, collapsed, (i) => {
    if (m.children[i] > 0 && !collapsed[i] && m.depth[i] > deepest) deepest = m.depth[i];
  });
  const c = collapsed.slice();
  if (deepest < 0) return c;
  forEachShown(m, collapsed, (i) => {
    if (m.children[i] > 0 && m.depth[i] === deepest) c[i] = 1;
  });
  return c;
}

// Jaeger's "o": open the shallowest level that is closed.
export function expandOneLevel(m: TraceModel, collapsed: Uint8Array): Uint8Array {
  let shallowest = Infinity;
  forEachShown(m, collapsed, (i) => {
    if (collapsed[i] && m.depth[i] < shallowest) shallowest = m.depth[i];
  });
  const c = collapsed.slice();
  if (shallowest === Infinity) return c;
  forEachShown(m, collapsed, (i) => {
    if (collapsed[i] && m.depth[i] === shallowest) c[i] = 0;
  });
  return c;
}

// Hides what happens inside spans shorter than `ns`.
export function collapseBelowDuration(m: TraceModel, ns: number): Uint8Array {
  const c = new Uint8Array(m.n);
  for (let i = 0; i < m.n; i++) if (m.children[i] > 0 && m.duration[i] < ns) c[i] = 1;
  return c;
}

// Hides the inside of every span of one service (its calls stay visible as
// single rows), keeping the rest as it is.
export function collapseService(m: TraceModel, collapsed: Uint8Array, service: number): Uint8Array {
  const c = collapsed.slice();
  for (let i = 0; i < m.n; i++) if (m.children[i] > 0 && m.service[i] === service) c[i] = 1;
  return c;
}

// Opens every ancestor of span i so that its row is shown.
export function reveal(m: TraceModel, collapsed: Uint8Array, i: number): Uint8Array {
  let changed = false;
  const c = collapsed.slice();
  for (let p = m.parent[i]; p >= 0; p = m.parent[p]) {
    if (c[p]) {
      c[p] = 0;
      changed = true;
    }
  }
  return changed ? c : collapsed;
}

// A collapsed span that hides an erroring span shows it (errors bubble up).
export function hiddenErrors(m: TraceModel, collapsed: Uint8Array, i: number): number {
  return collapsed[i] ? m.errorsBelow[i] : 0;
}
