// Two traces merged by service/operation path: each node is one path from
// the root (spans of the same path in one trace are counted together), with
// what each side has there.
import type { TraceModel } from "./skeleton";

export interface Side {
  count: number;
  totalNs: number;
  errors: number;
}

export interface CompareNode {
  key: string;
  depth: number;
  service: string;
  operation: string;
  a: Side | null;
  b: Side | null;
}

export type Change = "only-a" | "only-b" | "slower" | "faster" | "status" | "same";

function paths(m: TraceModel): Map<string, { depth: number; service: string; operation: string; side: Side; order: number }> {
  const keyOf: string[] = new Array(m.n);
  const out = new Map<string, { depth: number; service: string; operation: string; side: Side; order: number }>();
  for (let i = 0; i < m.n; i++) {
    const svc = m.services[m.service[i]];
    const op = m.operations[m.operation[i]];
    const p = m.parent[i];
    const key = (p >= 0 ? keyOf[p] + "\u0001" : "") + svc + "\u0000" + op;
    keyOf[i] = key;
    let e = out.get(key);
    if (!e) {
      e = { depth: m.depth[i], service: svc, operation: op, side: { count: 0, totalNs: 0, errors: 0 }, order: i };
      out.set(key, e);
    }
    e.side.count++;
    e.side.totalNs += m.duration[i];
    if (m.status[i] === 2) e.side.errors++;
  }
  return out;
}

export function mergeTraces(a: TraceModel, b: TraceModel): CompareNode[] {
  const pa = paths(a);
  const pb = paths(b);
  const nodes: CompareNode[] = [];
  for (const [key, e] of pa) {
    nodes.push({ key, depth: e.depth, service: e.service, operation: e.operation, a: e.side, b: pb.get(key)?.side ?? null });
  }
  for (const [key, e] of pb) {
    if (!pa.has(key)) nodes.push({ key, depth: e.depth, service: e.service, operation: e.operation, a: null, b: e.side });
  }
  // Keys sort parents before children; siblings by name.
  return nodes.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

// What changed on a node; `noise` is the relative difference below which
// durations count as the same (0.2 = 20 %).
export function changeOf(n: CompareNode, noise = 0.2): Change {
  if (!n.a) return "only-b";
  if (!n.b) return "only-a";
  if ((n.a.errors > 0) !== (n.b.errors > 0)) return "status";
  const da = n.a.totalNs;
  const db = n.b.totalNs;
  const base = Math.max(Math.min(da, db), 1);
  if (Math.abs(db - da) / base <= noise) return "same";
  return db > da ? "slower" : "faster";
}
