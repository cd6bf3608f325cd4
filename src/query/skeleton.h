// The compact shape of a trace the web UI draws its waterfall from: the
// tree in display order with every field a bar needs, and nothing a bar
// does not (attributes, events and log bodies are fetched on demand).
//
// A 200,000-span trace renders to about 60 bytes per span, where the full
// native JSON (RenderTrace) takes kilobytes per span.
//
// Document (columns of equal length, one entry per span, in tree order:
// depth-first from the root, children by start time):
//   {"trace_id", "start_ns" (decimal string: beyond 2^53),
//    "duration_ns", "span_count", "error_count", "max_depth",
//    "root_service", "root_operation", "log_count", "logs_without_span",
//    "services":[names], "operations":[names],
//    "ids": every span id's 16 hex digits, concatenated (span k's id is
//           characters 16k to 16k+15: one string parses far faster than
//           200,000), "parent":[tree index, -1 for the root],
//    "service":[index into services], "operation":[index into operations],
//    "start":[ns after start_ns], "duration":[ns],
//    "status":[0 unset|1 ok|2 error], "kind":[OTLP SpanKind number],
//    "logs":[log records written by the span], "children":[count],
//    "flags":[bit 1 on the critical path, 2 clock skew corrected,
//             4 parent missing (attached to the root)],
//    "critical_path":[[tree index, start offset, end offset], ...],
//    "log_ticks":{"span":[tree index, -1 when the span is not in the
//                 trace], "offset":[ns after start_ns], "severity":[1..24]}}
// Pure and thread-compatible, like the rest of query/.
#pragma once

#include <string>
#include <vector>

#include "query/assembled_trace.h"
#include "store/model.h"

namespace callpath::query {

// Bits of the skeleton's "flags" column.
inline constexpr int kSkeletonCritical = 1;
inline constexpr int kSkeletonSkewed = 2;
inline constexpr int kSkeletonOrphan = 4;

// Indices of trace.spans in tree order (depth-first from the root, children
// by start time; spans the walk cannot reach follow in start order).
std::vector<size_t> TreeOrder(const AssembledTrace& trace);

// The skeleton document described above. `logs` are the trace's log
// records (any order).
std::string RenderSkeleton(const AssembledTrace& trace, const std::vector<store::StoredLog>& logs);

}  // namespace callpath::query
