// Self time (a span's duration minus the time its children cover inside
// it) and the table of it per service and operation.
import type { TraceModel } from "./skeleton";

export function selfTimes(m: TraceModel): Float64Array {
  const self = new Float64Array(m.n);
  for (let i = 0; i < m.n; i++) {
    const s0 = m.start[i];
    const s1 = s0 + m.duration[i];
    // Children in tree order are sorted by start: sweep their union.
    let covered = 0;
    let curFrom = -1;
    let curTo = -1;
    for (let j = i + 1; j < m.end[i]; j = m.end[j]) {
      const a = Math.max(m.start[j], s0);
      const b = Math.min(m.start[j] + m.duration[j], s1);
      if (b <= a) continue;
      if (a > curTo) {
        if (curTo > curFrom) covered += curTo - curFrom;
        curFrom = a;
        curTo = b;
      } else if (b > curTo) {
        curTo = b;
      }
    }
    if (curTo > curFrom) covered += curTo - curFrom;
    self[i] = Math.max(0, m.duration[i] - covered);
  }
  return self;
}

export interface SelfTimeRow {
  service: string;
  operation: string;
  count: number;
  totalNs: number;
  selfNs: number;
  maxSelfNs: number;
  errors: number;
  share: number; // self time / the trace's duration
}

export function selfTimeTable(m: TraceModel, self: Float64Array): SelfTimeRow[] {
  const rows = new Map<string, SelfTimeRow>();
  for (let i = 0; i < m.n; i++) {
    const key = `${m.service[i]}\u0000${m.operation[i]}`;
    let r = rows.get(key);
    if (!r) {
      r = { service: m.services[m.service[i]], operation: m.operations[m.operation[i]], count: 0, totalNs: 0, selfNs: 0, maxSelfNs: 0, errors: 0, share: 0 };
      rows.set(key, r);
    }
    r.count++;
    r.totalNs += m.duration[i];
    r.selfNs += self[i];
    r.maxSelfNs = Math.max(r.maxSelfNs, self[i]);
    if (m.status[i] === 2) r.errors++;
  }
  const out = Array.from(rows.values());
  for (const r of out) r.share = m.durationNs > 0 ? r.selfNs / m.durationNs : 0;
  return out.sort((a, b) => b.selfNs - a.selfNs);
}
