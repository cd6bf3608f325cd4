// Open, close, retention and statistics of the RocksDB store.
#include <rocksdb/utilities/options_util.h>

#include <chrono>
#include <filesystem>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"

namespace callpath::store {

Result<std::unique_ptr<Store>> OpenRocksDbStore(const RocksDbOptions& options) {
  return RocksDbStore::Open(options);
}

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return NotFound(msg);
  if (s.IsCorruption()) return DataLoss(msg);
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Unavailable(msg);
  if (s.IsInvalidArgument()) return InvalidArgument(msg);
  if (s.IsNoSpace() || s.IsMemoryLimit()) return ResourceExhausted(msg);
  return Internal(msg);
}

namespace {

// Version of the key and value layouts (keys.h). Stores of another format
// are refused rather than misread.
// Format 3: span blobs may be zstd-compressed (segment.h), and the
// trace-keyed families use universal compaction.
// Format 4: a span blob may join blobs encoded apart (seg::JoinBlobs).
// Format 5: a log_trace / log_service entry may list several records
// (seg::EncodeLogRefs).
// Format 6: summary records of version 2 (per-service counts, orphans;
// summary_record.h), and event and link attributes in the tag index.
// Format 7: log values of version 2 (with the record's template id), and
// the stats column family (stats_record.h).
// Format 8: span blobs are LZ4-compressed (zstd ones stay readable).
// Formats 3 to 7 are subsets: such stores are opened and marked format 8
// (their blobs, summaries, tag postings and log records stay readable as
// they are; statistics start with the first write after the upgrade from
// a format before 7). Marking them keeps an older callpathd, which cannot
// read LZ4 blobs, from opening the store afterwards.
constexpr const char* kFormat = "8";
bool IsUpgradableFormat(const std::string& format) {
  return format == "3" || format == "4" || format == "5" || format == "6" || format == "7";
}

}  // namespace

RocksDbStore::RocksDbStore(const RocksDbOptions& options)
    : options_(options),
      bucket_ns_(options.bucket_seconds * 1'000'000'000ull),
      window_ns_((bucket_ns_ + keys::kWindowsPerBucket - 1) / keys::kWindowsPerBucket) {
  write_options_.sync = options.sync_writes;
}

RocksDbStore::~RocksDbStore() { (void)Close(); }

Result<std::unique_ptr<Store>> RocksDbStore::Open(const RocksDbOptions& options) {
  if (options.path.empty()) return InvalidArgument("store path is empty");
  if (options.bucket_seconds == 0 || options.bucket_seconds > 366ull * 86400) {
    return InvalidArgument("bucket_seconds must be in 1..31622400");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Unavailable("cannot create " + options.path + ": " + ec.message());

  std::unique_ptr<RocksDbStore> store(new RocksDbStore(options));
  CALLPATH_RETURN_IF_ERROR(store->OpenDb());
  CALLPATH_RETURN_IF_ERROR(store->LoadMeta());
  CALLPATH_RETURN_IF_ERROR(store->RecoverCounters());
  return std::unique_ptr<Store>(std::move(store));
}

Status RocksDbStore::OpenDb() {
  rocksdb::DBOptions db_opts;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  MakeOptions(&db_opts, &cfs);
  // Opening read-write deletes table files the MANIFEST does not name: a
  // damaged MANIFEST would make that data vanish. Look first, read-only.
  CALLPATH_RETURN_IF_ERROR(CheckBeforeOpen(db_opts, cfs));

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_opts, options_.path, cfs, &handles_, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Unavailable("store " + options_.path + " is in use: " + s.ToString());
    }
    return FromRocks(s, "open " + options_.path);
  }
  db_.reset(raw);
  return Status::Ok();
}

Status RocksDbStore::LoadMeta() {
  // The bucket width is part of every key: it cannot change after creation.
  std::string v;
  rocksdb::Status s = db_->Get({}, cf(kMeta), "bucket_seconds", &v);
  if (s.ok()) {
    if (v != std::to_string(options_.bucket_seconds)) {
      return InvalidArgument("store was created with bucket_seconds=" + v);
    }
    std::string format;
    if (!db_->Get({}, cf(kMeta), "format", &format).ok()) format = "1";
    if (IsUpgradableFormat(format)) {
      // From now on joined blobs and record lists may be written, which
      // older readers would take for corruption or miss.
      rocksdb::WriteOptions wo;
      wo.sync = true;
      s = db_->Put(wo, cf(kMeta), "format", kFormat);
      if (!s.ok()) return FromRocks(s, "write meta");
    } else if (format != kFormat) {
      return InvalidArgument("store " + options_.path + " has format " + format +
                             "; this version reads formats 3 to " + kFormat);
    }
  } else if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::WriteBatch meta;
    meta.Put(cf(kMeta), "bucket_seconds", std::to_string(options_.bucket_seconds));
    meta.Put(cf(kMeta), "format", kFormat);
    s = db_->Write(wo, &meta);
    if (!s.ok()) return FromRocks(s, "write meta");
  } else {
    return FromRocks(s, "read meta");
  }
  if (db_->Get({}, cf(kMeta), kIngestPositionKey, &v).ok() && v.size() == 8) {
    uint64_t pos = enc::ReadBigEndian64(v.data());
    durable_position_ = pos;
    applied_position_ = pos;
  }
  if (db_->Get({}, cf(kMeta), "retention_cutoff_ns", &v).ok()) {
    retention_cutoff_ns_ = std::strtoull(v.c_str(), nullptr, 10);
  }
  return Status::Ok();
}

Status RocksDbStore::RecoverCounters() {
  // Bucket bounds from the first and last keys of the time-keyed families
  // (statistics included: they may count spans that were not stored).
  for (Cf c : {kSpans, kLogs, kStats}) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(c)));
    it->SeekToFirst();
    if (it->Valid() && it->key().size() >= 4) NoteBucket(enc::ReadBigEndian32(it->key().data()));
    it->SeekToLast();
    if (it->Valid() && it->key().size() >= 4) NoteBucket(enc::ReadBigEndian32(it->key().data()));
  }
  // Log sequence numbers only need to be unique per (time, seq): seeding
  // with the wall clock keeps them unique across restarts.
  const auto now_ns = static_cast<uint64_t>(
      std::chrono::system_clock::now().time_since_epoch() / std::chrono::nanoseconds(1));
  log_seq_ = now_ns;
  // Segment numbers must also grow across restarts (a re-sent span replaces
  // the older copy because its segment is newer): start above both the wall
  // clock and the highest segment stored, found from the last trace table
  // of each bucket present.
  uint64_t next_seq = now_ns;
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kIndex)));
  for (it->SeekToFirst(); it->Valid();) {
    if (it->key().size() < keys::kBucketSize) break;
    uint32_t b = enc::ReadBigEndian32(it->key().data());
    std::string table_prefix = keys::Bucket(b) + static_cast<char>(keys::kTable);
    it->SeekForPrev(keys::TableKey(b, UINT64_MAX));
    if (it->Valid() && it->key().starts_with(table_prefix) && it->key().size() == table_prefix.size() + 8) {
      next_seq = std::max(next_seq, enc::ReadBigEndian64(it->key().data() + table_prefix.size()) + 1);
    }
    if (b == UINT32_MAX) break;
    it->Seek(keys::Bucket(b + 1));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan segments");
  segment_seq_ = next_seq;
  return Status::Ok();
}

Status RocksDbStore::CheckOpen() const {
  if (closed_ || !db_) return FailedPrecondition("store is closed");
  return Status::Ok();
}

void RocksDbStore::NoteBucket(uint32_t b) {
  uint32_t cur = min_bucket_.load(std::memory_order_relaxed);
  while (b < cur && !min_bucket_.compare_exchange_weak(cur, b)) {}
  cur = max_bucket_.load(std::memory_order_relaxed);
  while (b > cur && !max_bucket_.compare_exchange_weak(cur, b)) {}
}

uint32_t RocksDbStore::MinLiveBucket() const {
  uint32_t lo = min_bucket_.load(std::memory_order_relaxed);
  uint64_t cutoff = retention_cutoff_ns_.load(std::memory_order_relaxed);
  uint32_t first_kept = BucketOf(cutoff);
  return std::max(lo, first_kept);
}

Status RocksDbStore::Close() {
  if (closed_ || !db_) return Status::Ok();
  closed_ = true;
  Status result;
  rocksdb::FlushOptions fo;
  rocksdb::Status s = db_->Flush(fo, handles_);
  if (!s.ok()) {
    result = FromRocks(s, "flush");
  } else if (uint64_t pos = applied_position_.load(); pos > 0) {
    result = WriteStoreCheckpointFile(options_.path, pos);
  }
  for (auto* h : handles_) {
    s = db_->DestroyColumnFamilyHandle(h);
    if (!s.ok() && result.ok()) result = FromRocks(s, "close column family");
  }
  handles_.clear();
  s = db_->Close();
  if (!s.ok() && result.ok()) result = FromRocks(s, "close");
  db_.reset();
  return result;
}

Status RocksDbStore::DeleteBefore(uint64_t cutoff_ns) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  // Buckets wholly older than the cutoff: [0, BucketOf(cutoff)).
  uint32_t end_bucket = BucketOf(cutoff_ns);
  if (cutoff_ns > retention_cutoff_ns_.load()) {
    // Persist first: readers and the compaction filter hide summaries by it.
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Put(wo, cf(kMeta), "retention_cutoff_ns",
                                 std::to_string(uint64_t{end_bucket} * bucket_ns_));
    if (!s.ok()) return FromRocks(s, "write retention cutoff");
    retention_cutoff_ns_ = uint64_t{end_bucket} * bucket_ns_;
  }
  std::string lo = keys::Bucket(0), hi = keys::Bucket(end_bucket);
  rocksdb::WriteBatch batch;
  for (Cf c : {kSpans, kIndex, kLogs, kLogTrace, kLogService, kStats}) {
    rocksdb::Status s = batch.DeleteRange(cf(c), lo, hi);
    if (!s.ok()) return FromRocks(s, "delete range");
  }
  // Names last seen in a dropped bucket go too.
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kNames)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t last = std::strtoull(it->value().ToString().c_str(), nullptr, 10);
      if (last < end_bucket) {
        rocksdb::Status s = batch.Delete(cf(kNames), it->key());
        if (!s.ok()) return FromRocks(s, "delete name");
      }
    }
  }
  rocksdb::Status s = db_->Write(write_options_, &batch);
  if (!s.ok()) return FromRocks(s, "retention");
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    names_written_.clear();
  }
  stats_.DropBefore(end_bucket);
  // Give the disk space back now rather than at some later compaction.
  rocksdb::Slice slo(lo), shi(hi);
  for (Cf c : {kSpans, kIndex, kLogs, kLogTrace, kLogService, kStats}) {
    (void)rocksdb::DeleteFilesInRange(db_.get(), cf(c), &slo, &shi);
    rocksdb::CompactRangeOptions co;
    (void)db_->CompactRange(co, cf(c), &slo, &shi);
  }
  rocksdb::CompactRangeOptions co;
  (void)db_->CompactRange(co, cf(kTraces), nullptr, nullptr);
  uint32_t cur = min_bucket_.load();
  while (cur < end_bucket && !min_bucket_.compare_exchange_weak(cur, end_bucket)) {}
  return Status::Ok();
}

StoreStats RocksDbStore::Stats() {
  StoreStats st;
  st.spans_written = spans_written_.load();
  st.logs_written = logs_written_.load();
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(options_.path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) st.bytes_on_disk += it->file_size(ec);
  }
  if (CheckOpen().ok()) {
    uint64_t n = 0;
    // Span keys are blobs of several spans: scale by what this process saw.
    if (db_->GetIntProperty(cf(kSpans), "rocksdb.estimate-num-keys", &n)) {
      uint64_t blobs = blobs_written_.load();
      st.approx_spans = blobs == 0 ? n : n * st.spans_written / blobs;
    }
    if (db_->GetIntProperty(cf(kTraces), "rocksdb.estimate-num-keys", &n)) st.approx_traces = n;
    if (db_->GetIntProperty(cf(kLogs), "rocksdb.estimate-num-keys", &n)) st.approx_logs = n;
  }
  return st;
}

Status RocksDbStore::LoadResource(uint64_t hash, Attributes* out) {
  if (hash == 0) {
    out->clear();
    return Status::Ok();
  }
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = resource_cache_.find(hash);
    if (it != resource_cache_.end()) {
      *out = it->second;
      return Status::Ok();
    }
  }
  std::string key(8, '\0'), v;
  std::memcpy(key.data(), &hash, 8);
  rocksdb::Status s = db_->Get({}, cf(kResources), key, &v);
  if (!s.ok()) return FromRocks(s, "read resource");
  enc::Reader r(v);
  if (!enc::GetAttributes(&r, out)) return DataLoss("corrupt resource record");
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (resource_cache_.size() > 4096) resource_cache_.clear();
  resource_cache_.emplace(hash, *out);
  return Status::Ok();
}

}  // namespace callpath::store
