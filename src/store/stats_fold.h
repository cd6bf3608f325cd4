// Folding one IngestBatch into the statistics rows of stats.h: what every
// backend's Writer::Prepare does, so that all backends count alike.
#pragma once

#include <cstdint>
#include <vector>

#include "store/stats.h"
#include "store/store.h"

namespace callpath::store {

struct BatchStats {
  // One row per (minute, service, operation, kind) with a span of the
  // batch starting in that minute, in the order of their first span (a
  // sort would cost more than the fold).
  std::vector<OperationStats> operations;
  // One row per (minute, service, template_id, severity_number) with a
  // record of the batch whose effective time falls in that minute, in the
  // order of their first record.
  std::vector<LogTemplateStats> log_templates;
  // The template id of each record of the batch (parallel to batch.logs):
  // its own template_id when set, else LogTemplateOf(its body's text).id.
  // A writer copies it into records whose template_id is 0.
  std::vector<uint64_t> log_template_ids;
};

// The statistics of `batch`. Rows start at the minute (a multiple of
// kStatsBucketNs) of a span's start / a record's effective time. Local self
// time is as OperationStats defines it: the children counted are the
// batch's spans of the same trace and service whose parent_span_id is the
// span's id, and only the part of them inside the span is subtracted. A
// span given twice counts twice. Pure and thread-safe.
BatchStats FoldBatchStats(const IngestBatch& batch);

// Sets each record's template_id, where it is 0, to the id FoldBatchStats
// gives it: for records prepared without folding (IngestBatch::
// fold_statistics false), so they are stored as if folded.
void FillLogTemplateIds(std::vector<StoredLog>* logs);

// The text a log template is computed from: a string or JSON body as it
// is, any other body as Value::AsText.
std::string_view LogBodyText(const StoredLog& log, std::string* scratch);

// Adds `from` into `into` (same key): counts summed, sketches merged.
void MergeOperationStats(const OperationStats& from, OperationStats* into);
void MergeLogTemplateStats(const LogTemplateStats& from, LogTemplateStats* into);

}  // namespace callpath::store
