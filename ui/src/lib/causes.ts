// What the cause panel lists. The server's `explain` answer when it has one;
// otherwise the assembler's rule (the deepest erroring spans with no
// erroring span below them, then the largest self times), taken from
// /api/v1/traces/{id} root_causes or, for traces too big to fetch whole,
// computed here from the skeleton by the same rule.
import type { Cause, Explanation, RootCauses } from "../api";
import type { TraceModel } from "./skeleton";

export interface PanelCause {
  rank: number;
  kind: string;
  service: string;
  operation: string | null;
  span: number; // tree index, -1 when no span exists
  summary: string;
  evidence: string[];
  score: number;
}

function spanOf(m: TraceModel, id: string | null | undefined): number {
  return id ? (m.idIndex.get(id) ?? -1) : -1;
}

export function fromExplain(m: TraceModel, e: Explanation): PanelCause[] {
  return e.causes.map((c: Cause) => ({
    rank: c.rank,
    kind: c.kind,
    service: c.service,
    operation: c.operation,
    span: spanOf(m, c.span_id),
    summary: c.summary,
    evidence: (c.evidence ?? []).map((x) => x.text),
    score: c.score,
  }));
}

export function fromRootCauses(m: TraceModel, r: RootCauses): PanelCause[] {
  const out: PanelCause[] = [];
  for (const c of r.errors) {
    out.push({ rank: out.length + 1, kind: "error", service: c.service, operation: c.operation, span: spanOf(m, c.span_id), summary: c.reason, evidence: [], score: c.score });
  }
  for (const c of r.slow.slice(0, 3)) {
    out.push({ rank: out.length + 1, kind: "latency", service: c.service, operation: c.operation, span: spanOf(m, c.span_id), summary: c.reason, evidence: [], score: c.score });
  }
  return out;
}

export function fromSkeleton(m: TraceModel, self: Float64Array): PanelCause[] {
  const out: PanelCause[] = [];
  const leaves = m.errorSpans.filter((i) => m.errorsBelow[i] === 0).sort((a, b) => m.depth[b] - m.depth[a] || a - b);
  for (const i of leaves.slice(0, 5)) {
    out.push({ rank: out.length + 1, kind: "error", service: m.services[m.service[i]], operation: m.operations[m.operation[i]], span: i,
      summary: "erroring span with no erroring span below it", evidence: [], score: 1 });
  }
  for (const i of topBy(self, 3)) {
    out.push({ rank: out.length + 1, kind: "latency", service: m.services[m.service[i]], operation: m.operations[m.operation[i]], span: i,
      summary: "largest self time", evidence: [], score: m.durationNs > 0 ? self[i] / m.durationNs : 0 });
  }
  return out;
}

// Indices of the k largest values, largest first, in one pass.
export function topBy(values: Float64Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (top.length === k && values[i] <= values[top[k - 1]]) continue;
    let at = top.length;
    while (at > 0 && values[top[at - 1]] < values[i]) at--;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}
