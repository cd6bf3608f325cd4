// A small skeleton as callpathd renders it, in tree order:
//   0 web GET /checkout       0..100 ms  (critical)
//   1   cart List              5..20 ms
//   2     db SELECT            6..10 ms
//   3   pay Charge            25..95 ms (error, critical)
//   4     bank Authorize      30..90 ms (error, critical) 2 logs
//   5   cart Reserve          40..50 ms
import type { SkeletonJson } from "../src/lib/skeleton";

const ms = 1e6;

export function sampleSkeleton(): SkeletonJson {
  return {
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    start_ns: "1795732692870000000",
    duration_ns: 100 * ms,
    span_count: 6,
    error_count: 2,
    max_depth: 2,
    root_service: "web",
    root_operation: "GET /checkout",
    log_count: 3,
    logs_without_span: 1,
    services: ["web", "cart", "db", "pay", "bank"],
    operations: ["GET /checkout", "List", "SELECT", "Charge", "Authorize", "Reserve"],
    ids: ["a0", "a1", "a2", "a3", "a4", "a5"].map((s) => s.padStart(16, "0")).join(""),
    parent: [-1, 0, 1, 0, 3, 0],
    service: [0, 1, 2, 3, 4, 1],
    operation: [0, 1, 2, 3, 4, 5],
    start: [0, 5 * ms, 6 * ms, 25 * ms, 30 * ms, 40 * ms],
    duration: [100 * ms, 15 * ms, 4 * ms, 70 * ms, 60 * ms, 10 * ms],
    status: [0, 0, 0, 2, 2, 0],
    kind: [2, 3, 3, 3, 2, 3],
    logs: [0, 0, 0, 0, 2, 0],
    children: [3, 1, 0, 1, 0, 0],
    flags: [1, 0, 0, 1, 1, 0],
    critical_path: [[0, 0, 25 * ms], [3, 25 * ms, 30 * ms], [4, 30 * ms, 90 * ms], [3, 90 * ms, 95 * ms], [0, 95 * ms, 100 * ms]],
    log_ticks: { span: [4, 4, -1], offset: [31 * ms, 89 * ms, 50 * ms], severity: [9, 17, 13] },
  };
}
