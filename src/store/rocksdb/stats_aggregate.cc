#include "store/rocksdb/stats_aggregate.h"

#include "store/rocksdb/stats_record.h"

namespace callpath::store {

Status StatsAggregate::Touch(const std::string& key, uint32_t bucket, bool is_operation, const Load& load,
                             Row** row, std::vector<std::pair<const std::string*, Row*>>* touched) {
  auto [it, fresh] = rows_.try_emplace(key);
  Row& r = it->second;
  if (fresh) {
    r.bucket = bucket;
    r.is_operation = is_operation;
    std::string stored;
    Status s = load(key, &stored);
    if (s.ok()) {
      const bool decoded = is_operation ? stats_keys::DecodeOperationValue(stored, &r.operation)
                                        : stats_keys::DecodeLogTemplateValue(stored, &r.log_template);
      if (!decoded) {
        r.operation = OperationStats();
        r.log_template = LogTemplateStats();
      }
    } else if (s.code() != StatusCode::kNotFound) {
      rows_.erase(it);
      return s;
    }
  }
  if (fresh || r.last_write != writes_) touched->emplace_back(&it->first, &r);
  r.last_write = writes_;
  *row = &r;
  return Status::Ok();
}

Status StatsAggregate::Stage(const std::vector<const BatchStats*>& parts, const BucketOf& bucket_of,
                             const Load& load, const Put& put) {
  std::lock_guard<std::mutex> lock(mu_);
  ++writes_;
  std::vector<std::pair<const std::string*, Row*>> touched;
  auto fail = [&](const Status& s) {
    rows_.clear();
    return s;
  };
  for (const BatchStats* part : parts) {
    for (const OperationStats& in : part->operations) {
      const uint32_t bucket = bucket_of(in.start_ns);
      const std::string key = stats_keys::OperationKey(bucket, in);
      Row* row = nullptr;
      if (Status s = Touch(key, bucket, true, load, &row, &touched); !s.ok()) return fail(s);
      MergeOperationStats(in, &row->operation);
    }
    for (const LogTemplateStats& in : part->log_templates) {
      const uint32_t bucket = bucket_of(in.start_ns);
      const std::string key = stats_keys::LogTemplateKey(bucket, in);
      Row* row = nullptr;
      if (Status s = Touch(key, bucket, false, load, &row, &touched); !s.ok()) return fail(s);
      MergeLogTemplateStats(in, &row->log_template);
    }
  }
  std::string value;
  for (const auto& [key, row] : touched) {
    value.clear();
    if (row->is_operation) {
      stats_keys::EncodeOperationValue(row->operation, &value);
    } else {
      stats_keys::EncodeLogTemplateValue(row->log_template, &value);
    }
    put(*key, value);
  }
  if (writes_ % 64 == 0) Evict();
  return Status::Ok();
}

void StatsAggregate::Evict() {
  std::erase_if(rows_, [this](const auto& e) { return e.second.last_write + kIdleWrites < writes_; });
}

void StatsAggregate::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  rows_.clear();
}

void StatsAggregate::DropBefore(uint32_t bucket) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(rows_, [bucket](const auto& e) { return e.second.bucket < bucket; });
}

size_t StatsAggregate::rows_held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rows_.size();
}

}  // namespace callpath::store
