// The trace model the trace page draws: the server's skeleton (columns in
// tree order, see src/query/skeleton.h) turned into typed arrays, plus what
// every view needs derived once: depth, subtree extent, errors below a span,
// the critical path per span and the log ticks per span.

export interface SkeletonJson {
  trace_id: string;
  start_ns: string;
  duration_ns: number;
  span_count: number;
  error_count: number;
  max_depth: number;
  root_service: string;
  root_operation: string;
  log_count: number;
  logs_without_span: number;
  services: string[];
  operations: string[];
  ids: string; // 16 hex digits per span, concatenated
  parent: number[];
  service: number[];
  operation: number[];
  start: number[];
  duration: number[];
  status: number[];
  kind: number[];
  logs: number[];
  children: number[];
  flags: number[];
  critical_path: [number, number, number][];
  log_ticks: { span: number[]; offset: number[]; severity: number[] };
}

export const FLAG_CRITICAL = 1;
export const FLAG_SKEWED = 2;
export const FLAG_ORPHAN = 4;
export const STATUS_ERROR = 2;

export interface Tick {
  offset: number; // ns after the trace start
  severity: number;
}

export interface TraceModel {
  traceId: string;
  startNs: bigint; // absolute start (ns since the epoch)
  durationNs: number;
  n: number;
  services: string[];
  operations: string[];
  rootService: string;
  rootOperation: string;
  errorCount: number;
  logCount: number;
  logsWithoutSpan: number;
  ids: string; // span i's id: spanId(m, i)
  parent: Int32Array;
  service: Uint32Array;
  operation: Uint32Array;
  start: Float64Array; // ns after startNs
  duration: Float64Array;
  status: Uint8Array;
  kind: Uint8Array;
  logs: Uint32Array;
  children: Uint32Array;
  flags: Uint8Array;
  depth: Uint16Array;
  maxDepth: number;
  // Span i's subtree is [i, end[i]) in tree order.
  end: Int32Array;
  // Erroring spans strictly below span i.
  errorsBelow: Uint32Array;
  errorSpans: number[]; // tree order
  readonly idIndex: Map<string, number>; // span id -> tree index
  critical: Map<number, [number, number][]>; // span -> its stretches on the path
  ticks: Map<number, Tick[]>; // span -> its log records, in time order
  orphanTicks: Tick[]; // log records whose span is not in the trace
}

export function buildModel(s: SkeletonJson): TraceModel {
  const n = s.parent.length;
  const parent = Int32Array.from(s.parent);
  const status = Uint8Array.from(s.status);
  const depth = new Uint16Array(n);
  let maxDepth = 0;
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    // Tree order puts a parent before its children; anything else is
    // treated as a top-level span rather than trusted.
    if (p < 0 || p >= i) {
      parent[i] = p >= i ? -1 : p;
      depth[i] = 0;
    } else {
      depth[i] = depth[p] + 1;
    }
    if (depth[i] > maxDepth) maxDepth = depth[i];
  }
  const end = new Int32Array(n);
  const errorsBelow = new Uint32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (end[i] < i + 1) end[i] = i + 1;
    const p = parent[i];
    if (p >= 0) {
      if (end[p] < end[i]) end[p] = end[i];
      errorsBelow[p] += errorsBelow[i] + (status[i] === STATUS_ERROR ? 1 : 0);
    }
  }
  const errorSpans: number[] = [];
  for (let i = 0; i < n; i++) if (status[i] === STATUS_ERROR) errorSpans.push(i);
  // Built on first use: opening a trace does not need it.
  let idIndex: Map<string, number> | null = null;
  const critical = new Map<number, [number, number][]>();
  for (const [span, from, to] of s.critical_path) {
    const list = critical.get(span);
    if (list) list.push([from, to]);
    else critical.set(span, [[from, to]]);
  }
  const ticks = new Map<number, Tick[]>();
  const orphanTicks: Tick[] = [];
  const lt = s.log_ticks;
  for (let k = 0; k < lt.span.length; k++) {
    const tick = { offset: lt.offset[k], severity: lt.severity[k] };
    const span = lt.span[k];
    if (span < 0 || span >= n) {
      orphanTicks.push(tick);
      continue;
    }
    const list = ticks.get(span);
    if (list) list.push(tick);
    else ticks.set(span, [tick]);
  }
  for (const list of ticks.values()) list.sort((a, b) => a.offset - b.offset);
  return {
    traceId: s.trace_id,
    startNs: BigInt(s.start_ns || "0"),
    durationNs: s.duration_ns,
    n,
    services: s.services,
    operations: s.operations,
    rootService: s.root_service,
    rootOperation: s.root_operation,
    errorCount: s.error_count,
    logCount: s.log_count,
    logsWithoutSpan: s.logs_without_span,
    ids: s.ids,
    parent,
    service: Uint32Array.from(s.service),
    operation: Uint32Array.from(s.operation),
    start: Float64Array.from(s.start),
    duration: Float64Array.from(s.duration),
    status,
    kind: Uint8Array.from(s.kind),
    logs: Uint32Array.from(s.logs),
    children: Uint32Array.from(s.children),
    flags: Uint8Array.from(s.flags),
    depth,
    maxDepth,
    end,
    errorsBelow,
    errorSpans,
    get idIndex() {
      if (!idIndex) {
        idIndex = new Map();
        for (let i = 0; i < n; i++) idIndex.set(s.ids.substr(i * 16, 16), i);
      }
      return idIndex;
    },
    critical,
    ticks,
    orphanTicks,
  };
}

export function spanId(m: TraceModel, i: number): string {
  return m.ids.substr(i * 16, 16);
}

export function isError(m: TraceModel, i: number): boolean {
  return m.status[i] === STATUS_ERROR;
}

export function isCritical(m: TraceModel, i: number): boolean {
  return (m.flags[i] & FLAG_CRITICAL) !== 0;
}

export function spanLabel(m: TraceModel, i: number): string {
  return `${m.services[m.service[i]]} ${m.operations[m.operation[i]]}`;
}

// The ancestors of span i, nearest first.
export function ancestors(m: TraceModel, i: number): number[] {
  const out: number[] = [];
  for (let p = m.parent[i]; p >= 0; p = m.parent[p]) out.push(p);
  return out;
}
