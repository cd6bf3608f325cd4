// The ingest WAL record of a batch of tail-sampling decisions
// (WalKind::kSamplingDecisions): which traces were decided, kept or not,
// and up to which WAL record the sampler had seen their items.
//
// Replay needs it to tell, for records the store already covers, which
// held items were settled (written or dropped) and which were still
// waiting when the process stopped (tail_sampler.h, "Crashes").
//
// Body: u64 covered_through_lsn | u32 count | count x (16-byte trace id,
// u8 kept), little-endian.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/ids.h"
#include "callpath/status.h"

namespace callpath::daemon::sampling {

struct DecisionRecord {
  // The decisions cover the traces' items in WAL records up to this lsn;
  // later items of the same traces are settled by a later record.
  uint64_t covered_through_lsn = 0;
  std::vector<std::pair<TraceId, bool>> traces;  // (trace, kept)
};

std::string EncodeDecisionRecord(const DecisionRecord& record);
// InvalidArgument on a body of the wrong size.
Result<DecisionRecord> DecodeDecisionRecord(std::string_view body);

}  // namespace callpath::daemon::sampling
