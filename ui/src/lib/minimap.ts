// The minimap as pixels: each span a horizontal run at the row of its tree
// position, errors over the rest. One pass over the spans with difference
// arrays per pixel row, so a 200k-span trace costs O(spans + pixels), not
// 200k canvas calls.
import type { TraceModel } from "./skeleton";

export interface MinimapPixels {
  width: number;
  height: number;
  // Per pixel: 0 empty, else 1 + the service index of a span there, or
  // 0xffff for an erroring span.
  cells: Uint16Array;
}

export const ERROR_CELL = 0xffff;

export function minimapPixels(m: TraceModel, width: number, height: number): MinimapPixels {
  const cells = new Uint16Array(width * height);
  const total = m.durationNs || 1;
  // Coverage counts per row (difference arrays), then one service per row.
  const diff = new Int32Array((width + 1) * height);
  const errDiff = new Int32Array((width + 1) * height);
  const rowService = new Int32Array(height).fill(-1);
  for (let i = 0; i < m.n; i++) {
    // Small traces: each span gets its share of the rows.
    const y0 = Math.min(height - 1, Math.floor((i * height) / m.n));
    const y1 = Math.min(height, Math.max(y0 + 1, Math.floor(((i + 1) * height) / m.n)));
    const x0 = Math.min(width - 1, Math.max(0, Math.floor((m.start[i] / total) * width)));
    const x1 = Math.min(width, Math.max(x0 + 1, Math.ceil(((m.start[i] + m.duration[i]) / total) * width)));
    const d = m.status[i] === 2 ? errDiff : diff;
    for (let y = y0; y < y1; y++) {
      const base = y * (width + 1);
      d[base + x0]++;
      d[base + x1]--;
      if (rowService[y] < 0) rowService[y] = m.service[i];
    }
  }
  for (let y = 0; y < height; y++) {
    let run = 0;
    let err = 0;
    const base = y * (width + 1);
    for (let x = 0; x < width; x++) {
      run += diff[base + x];
      err += errDiff[base + x];
      if (err > 0) cells[y * width + x] = ERROR_CELL;
      else if (run > 0) cells[y * width + x] = 1 + Math.max(rowService[y], 0);
    }
  }
  return { width, height, cells };
}
