// Find in a trace: spans whose service or operation contains the text are
// found here at once; attribute keys and values, events and log bodies are
// matched by the server (/find), whose answer is merged in.
import { spanId, type TraceModel } from "./skeleton";

export interface FindServerAnswer {
  spans: string[];
  log_spans: string[];
  log_matches: number;
}

export function findLocal(m: TraceModel, text: string): Set<number> {
  const out = new Set<number>();
  const needle = text.trim().toLowerCase();
  if (!needle) return out;
  const svc = m.services.map((s) => s.toLowerCase().includes(needle));
  const op = m.operations.map((s) => s.toLowerCase().includes(needle));
  for (let i = 0; i < m.n; i++) {
    if (svc[m.service[i]] || op[m.operation[i]] || spanId(m, i) === needle) out.add(i);
  }
  return out;
}

export function mergeServerMatches(m: TraceModel, local: Set<number>, answer: FindServerAnswer): Set<number> {
  const out = new Set(local);
  for (const id of answer.spans) {
    const i = m.idIndex.get(id);
    if (i !== undefined) out.add(i);
  }
  for (const id of answer.log_spans) {
    const i = m.idIndex.get(id);
    if (i !== undefined) out.add(i);
  }
  return out;
}

// Matches in tree order.
export function sortedMatches(matches: Set<number>): number[] {
  return Array.from(matches).sort((a, b) => a - b);
}

// The next (dir = 1) or previous (dir = -1) entry of `sorted` after
// `current` (a span index, -1 = none), wrapping around.
export function step(sorted: number[], current: number, dir: 1 | -1): number {
  if (sorted.length === 0) return -1;
  if (dir === 1) {
    for (const s of sorted) if (s > current) return s;
    return sorted[0];
  }
  for (let k = sorted.length - 1; k >= 0; k--) if (sorted[k] < current) return sorted[k];
  return sorted[sorted.length - 1];
}
