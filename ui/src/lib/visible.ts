// Which rows the waterfall shows: spans in tree order minus the subtrees of
// collapsed spans (and, with "critical path only", of spans off the path),
// each span followed by its log rows when they are opened.
import { type TraceModel, FLAG_CRITICAL } from "./skeleton";

export interface RowList {
  // rowSpan[r]: the span of row r; rowLog[r]: -1 for the span's own row,
  // else the index of the log record among the span's logs (time order).
  rowSpan: Int32Array;
  rowLog: Int32Array;
  length: number;
}

export interface VisibleOptions {
  collapsed: Uint8Array; // 1 = children hidden
  criticalOnly: boolean;
  openLogs: Set<number>; // spans whose log rows are shown
}

export function visibleRows(m: TraceModel, o: VisibleOptions): RowList {
  let extra = 0;
  for (const s of o.openLogs) extra += m.logs[s] ?? 0;
  const cap = m.n + extra;
  const rowSpan = new Int32Array(cap);
  const rowLog = new Int32Array(cap);
  let r = 0;
  let i = 0;
  while (i < m.n) {
    if (o.criticalOnly && (m.flags[i] & FLAG_CRITICAL) === 0) {
      i = m.end[i];
      continue;
    }
    rowSpan[r] = i;
    rowLog[r] = -1;
    r++;
    if (o.openLogs.has(i)) {
      for (let k = 0; k < m.logs[i]; k++) {
        rowSpan[r] = i;
        rowLog[r] = k;
        r++;
      }
    }
    i = o.collapsed[i] ? m.end[i] : i + 1;
  }
  return { rowSpan, rowLog, length: r };
}

// The row showing span i, or -1 when it is hidden.
export function rowOfSpan(rows: RowList, span: number): number {
  // Rows are in tree order: binary search on the span index.
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = rows.rowSpan[mid];
    if (s === span) {
      let r = mid;
      while (r > 0 && rows.rowSpan[r - 1] === span) r--;
      return r;
    }
    if (s < span) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
