// Where the critical path is drawn: each stretch of a span on the path as
// a left offset and width, in percent of the waterfall's time window.

export interface Window {
  from: number; // ns after the trace start
  to: number;
}

export interface Band {
  left: number; // percent of the window
  width: number;
}

export function toBand(w: Window, from: number, to: number): Band | null {
  const span = w.to - w.from;
  if (span <= 0 || to < w.from || from > w.to) return null;
  const a = Math.max(from, w.from);
  const b = Math.min(to, w.to);
  return { left: ((a - w.from) / span) * 100, width: Math.max(((b - a) / span) * 100, 0.05) };
}

// The span's stretches on the path, drawn over its bar.
export function criticalBands(stretches: [number, number][] | undefined, w: Window): Band[] {
  if (!stretches) return [];
  const out: Band[] = [];
  for (const [from, to] of stretches) {
    const b = toBand(w, from, to);
    if (b) out.push(b);
  }
  return out;
}
