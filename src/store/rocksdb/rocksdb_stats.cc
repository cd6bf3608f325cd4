// Statistics (stats.h): staged with each Write, read back merged per
// window or per step. Keys and values: stats_record.h.
#include <algorithm>
#include <map>
#include <tuple>

#include "store/rocksdb/keys.h"
#include "store/rocksdb/prepared_batch.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/stats_record.h"

namespace callpath::store {

namespace {

uint64_t MinuteOf(uint64_t ns) { return ns - ns % kStatsBucketNs; }

// Where a minute's row goes in the answer: the start of its step.
struct Steps {
  uint64_t start = 0, step = 0;  // step 0: the whole window
  explicit Steps(const StatsQuery& q) : start(q.start_ns) {
    if (q.step_ns != 0) {
      // Whole minutes: a row cannot be split between steps.
      const uint64_t minutes = (q.step_ns + kStatsBucketNs - 1) / kStatsBucketNs;
      step = std::max<uint64_t>(1, minutes) * kStatsBucketNs;
    }
  }
  uint64_t Of(uint64_t minute) const {
    if (step == 0 || minute <= start) return start;  // the minute holding `start` joins the first step
    return start + (minute - start) / step * step;
  }
};

}  // namespace

Status RocksDbStore::ScanStats(const StatsQuery& q, char type,
                               const std::function<Status(const stats_keys::ParsedKey&, std::string_view)>& take) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  if (q.end_ns <= q.start_ns) return Status::Ok();
  const uint64_t first_minute = MinuteOf(q.start_ns);
  const uint32_t last_bucket = std::min(BucketOf(q.end_ns - 1), MaxBucket());
  // Not MinLiveBucket: a minute may begin in the bucket before its data's.
  uint32_t b = std::max(BucketOf(first_minute), BucketOf(retention_cutoff_ns_.load(std::memory_order_relaxed)));
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kStats)));
  // Seeks to the first row of `b` (of the service when one is asked) at
  // or after the first minute.
  auto seek_bucket = [&](uint32_t bucket) {
    if (q.service.empty()) {
      std::string k = keys::Bucket(bucket);
      k.push_back(type);
      it->Seek(k);
    } else {
      std::string k = stats_keys::ServicePrefix(bucket, type, q.service);
      enc::PutBigEndian64(&k, first_minute);
      it->Seek(k);
    }
  };
  stats_keys::ParsedKey key;
  for (bool more = b <= last_bucket; more;) {
    seek_bucket(b);
    while (it->Valid()) {
      const rocksdb::Slice k = it->key();
      if (!stats_keys::ParseKey(std::string_view(k.data(), k.size()), &key) || key.bucket != b ||
          key.type != type) {
        break;  // past this bucket's rows of this type
      }
      if (!q.service.empty() && key.service != q.service) break;
      if (key.minute < first_minute) {  // an earlier minute of this service: skip to the window
        std::string to = stats_keys::ServicePrefix(b, type, key.service);
        enc::PutBigEndian64(&to, first_minute);
        it->Seek(to);
        continue;
      }
      if (key.minute >= q.end_ns) {  // past the window: on to the next service
        if (!q.service.empty()) break;
        std::string to = stats_keys::ServicePrefix(b, type, key.service);
        to.back() = '\x01';  // just after every key of this service (names hold no 0)
        it->Seek(to);
        continue;
      }
      const rocksdb::Slice v = it->value();
      CALLPATH_RETURN_IF_ERROR(take(key, std::string_view(v.data(), v.size())));
      it->Next();
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan statistics");
    // The next bucket that holds any key, without visiting empty ones.
    if (b >= last_bucket) break;
    it->Seek(keys::Bucket(b + 1));
    if (!it->Valid()) break;
    b = std::max(b + 1, enc::ReadBigEndian32(it->key().data()));
    more = b <= last_bucket;
  }
  return it->status().ok() ? Status::Ok() : FromRocks(it->status(), "scan statistics");
}

Result<std::vector<OperationStats>> RocksDbStore::Operations(const StatsQuery& q) {
  const Steps steps(q);
  std::map<std::tuple<uint64_t, std::string, std::string, int>, OperationStats> merged;
  OperationStats row;
  Status s = ScanStats(q, stats_keys::kOperationRow, [&](const stats_keys::ParsedKey& k, std::string_view v) {
    if (!q.operation.empty() && k.operation != q.operation) return Status::Ok();
    row = OperationStats();
    if (!stats_keys::DecodeOperationValue(v, &row)) return DataLoss("corrupt statistics row of " + std::string(k.service));
    const uint64_t start = steps.Of(k.minute);
    auto [it, fresh] = merged.try_emplace({start, std::string(k.service), std::string(k.operation), static_cast<int>(k.kind)});
    if (fresh) {
      it->second.start_ns = start;
      it->second.service = k.service;
      it->second.operation = k.operation;
      it->second.kind = k.kind;
    }
    MergeOperationStats(row, &it->second);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::vector<OperationStats> out;
  out.reserve(merged.size());
  for (auto& [key, r] : merged) out.push_back(std::move(r));
  return out;
}

Result<std::vector<LogTemplateStats>> RocksDbStore::LogTemplates(const StatsQuery& q) {
  const Steps steps(q);
  std::map<std::tuple<uint64_t, std::string, uint64_t, int32_t>, LogTemplateStats> merged;
  LogTemplateStats row;
  Status s = ScanStats(q, stats_keys::kLogTemplateRow, [&](const stats_keys::ParsedKey& k, std::string_view v) {
    row = LogTemplateStats();
    if (!stats_keys::DecodeLogTemplateValue(v, &row)) {
      return DataLoss("corrupt log template statistics row of " + std::string(k.service));
    }
    const uint64_t start = steps.Of(k.minute);
    auto [it, fresh] = merged.try_emplace({start, std::string(k.service), k.template_id, k.severity_number});
    if (fresh) {
      it->second.start_ns = start;
      it->second.service = k.service;
      it->second.template_id = k.template_id;
      it->second.severity_number = k.severity_number;
    }
    MergeLogTemplateStats(row, &it->second);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::vector<LogTemplateStats> out;
  out.reserve(merged.size());
  for (auto& [key, r] : merged) out.push_back(std::move(r));
  return out;
}

Status RocksDbStore::StageStats(const std::vector<const PreparedBatch*>& batches, rocksdb::WriteBatch* batch) {
  std::vector<const BatchStats*> parts;
  for (const PreparedBatch* b : batches) {
    const auto* in = static_cast<const RocksPreparedBatch*>(b);
    if (!in->stats.operations.empty() || !in->stats.log_templates.empty()) parts.push_back(&in->stats);
  }
  if (parts.empty()) return Status::Ok();
  return stats_.Stage(
      parts, [this](uint64_t ns) { return BucketOf(ns); },
      [this](const std::string& key, std::string* value) {
        rocksdb::Status s = db_->Get({}, cf(kStats), key, value);
        return s.ok() ? Status::Ok() : FromRocks(s, "read statistics row");
      },
      [this, batch](const std::string& key, const std::string& value) { batch->Put(cf(kStats), key, value); });
}

}  // namespace callpath::store
