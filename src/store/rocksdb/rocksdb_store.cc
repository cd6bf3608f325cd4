// Open, close, retention and statistics of the RocksDB store.
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
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

const char* const kCfNames[] = {rocksdb::kDefaultColumnFamilyName.c_str(),
                                "index", "traces", "logs", "log_trace", "names", "resources", "meta",
                                "log_service"};
// Version of the key and value layouts (keys.h). Stores of another format
// are refused rather than misread.
// Format 3: span blobs may be zstd-compressed (segment.h), and the
// trace-keyed families use universal compaction.
// Format 4: a span blob may join blobs encoded apart (seg::JoinBlobs).
// Format 5: a log_trace / log_service entry may list several records
// (seg::EncodeLogRefs).
// Format 6: summary records of version 2 (per-service counts, orphans;
// summary_record.h), and event and link attributes in the tag index.
// Formats 3 to 5 are subsets: such stores are opened and marked format 6
// (their summaries and tag postings stay readable as they are).
constexpr const char* kFormat = "6";
bool IsUpgradableFormat(const std::string& format) {
  return format == "3" || format == "4" || format == "5";
}

// Posting keys are <prefix> | ~max_start | seq with a fixed 16-byte tail
// (log keys likewise end with ~time | seq);
// lists of one prefix arrive in time order, so each insert lands next to the
// previous one of its prefix. Giving the memtable that prefix lets it insert
// with a hint instead of a full skip-list search.
class IndexPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "callpath.IndexPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - keys::kIndexTailSize);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= keys::kIndexTailSize;
  }
};

rocksdb::CompressionType Pick(rocksdb::CompressionType want, rocksdb::CompressionType fallback) {
  for (auto t : rocksdb::GetSupportedCompressions()) {
    if (t == want) return want;
  }
  return fallback;
}

}  // namespace

RocksDbStore::RocksDbStore(const RocksDbOptions& options)
    : options_(options),
      bucket_ns_(options.bucket_seconds * 1'000'000'000ull),
      window_ns_((bucket_ns_ + keys::kWindowsPerBucket - 1) / keys::kWindowsPerBucket) {
  write_options_.sync = options.sync_writes;
}

RocksDbStore::~RocksDbStore() { (void)Close(); }

void RocksDbStore::MakeOptions(rocksdb::DBOptions* db_opts, std::vector<rocksdb::ColumnFamilyDescriptor>* cfs) {
  db_opts->create_if_missing = true;
  db_opts->create_missing_column_families = true;
  // Damage found while reading (a table's checksum, a missing file) stops
  // writes and fails Open instead of being skipped.
  db_opts->paranoid_checks = true;
  db_opts->max_background_jobs = std::max(2, options_.background_threads);
  db_opts->bytes_per_sync = 1 << 20;
  db_opts->keep_log_file_num = 4;
  db_opts->max_total_wal_size = 512ull << 20;
  // Writes (Writer::Write) skip the WAL: only flushing every column
  // family together keeps what a crash leaves consistent with the ingest
  // position stored beside the data.
  db_opts->atomic_flush = true;
  db_opts->info_log = NewInfoLog(options_.path);

  auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  auto light = Pick(rocksdb::kLZ4Compression, rocksdb::kSnappyCompression);
  auto make_cf = [&](bool bloom, size_t prefix_len) {
    rocksdb::ColumnFamilyOptions o;
    o.write_buffer_size = options_.write_buffer_bytes;
    o.max_write_buffer_number = 4;
    o.compression = light;
    // Flushes (L0) write uncompressed: ingest pays for compression once,
    // when compaction moves the data down, not at flush and again there.
    o.compression_per_level.assign(o.num_levels, light);
    o.compression_per_level[0] = rocksdb::kNoCompression;
    // LZ4 at the bottom too: with ZSTD (even at level 1) three quarters of
    // compaction CPU went to ZSTD, and compaction was the largest single
    // ingest cost on a 2-core machine; the price is more bytes on disk.
    o.bottommost_compression = light;
    o.level_compaction_dynamic_level_bytes = true;
    // Span and summary keys lead with random trace ids, so every flushed
    // file overlaps all of its bucket below: merging 8 files per
    // compaction instead of 4 halves that rewrite work during ingest, at
    // the price of a few more (bloom-filtered) files per point read.
    o.level0_file_num_compaction_trigger = 8;
    o.level0_slowdown_writes_trigger = 24;
    o.level0_stop_writes_trigger = 40;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    t.block_size = 16 * 1024;
    t.cache_index_and_filter_blocks = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    t.format_version = 5;
    if (bloom) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    if (prefix_len) {
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(prefix_len));
      t.whole_key_filtering = false;
    }
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    return o;
  };

  cfs->assign(kCfCount, {});
  for (int i = 0; i < kCfCount; ++i) (*cfs)[i].name = kCfNames[i];
  // Span, summary and log-by-trace keys are random within their bucket
  // (they lead with a trace id), so every flushed file overlaps everything
  // below it and leveled compaction rewrites the whole bucket again and
  // again (cost growing with the run). Universal compaction merges sorted
  // runs of similar size instead: each byte is rewritten about log(N)
  // times. Point reads (by trace id) stay cheap through bloom filters;
  // retention drops whole buckets by range, not by level.
  auto random_keys = [](rocksdb::ColumnFamilyOptions* o) {
    o->compaction_style = rocksdb::kCompactionStyleUniversal;
    o->compaction_options_universal.size_ratio = 10;
    o->compaction_options_universal.min_merge_width = 4;
    // A full merge once the newer runs hold 4x the oldest (not 2x): each
    // byte is then rewritten about log5(N) times rather than log3(N).
    o->compaction_options_universal.max_size_amplification_percent = 400;
    o->level0_file_num_compaction_trigger = 8;
    o->level_compaction_dynamic_level_bytes = false;
    o->compression_per_level.clear();
    // Freshly flushed runs stay uncompressed; merged ones get LZ4.
    o->compaction_options_universal.compression_size_percent = 80;
  };
  (*cfs)[kSpans].options = make_cf(true, keys::kTracePrefixSize);
  random_keys(&(*cfs)[kSpans].options);
  // Span blobs arrive zstd-compressed (seg::CompressBlob): compressing
  // them again at every compaction would cost CPU for nothing.
  (*cfs)[kSpans].options.compression = rocksdb::kNoCompression;
  (*cfs)[kSpans].options.bottommost_compression = rocksdb::kNoCompression;
  (*cfs)[kIndex].options = make_cf(false, 0);
  // A term's newer posting keys sort before its older ones (~max_start),
  // so each flush overlaps every term's range below as well.
  random_keys(&(*cfs)[kIndex].options);
  // Posting lists are varints already: LZ4 saved about a quarter of their
  // bytes for a large share of compaction CPU.
  (*cfs)[kIndex].options.compression = rocksdb::kNoCompression;
  (*cfs)[kIndex].options.bottommost_compression = rocksdb::kNoCompression;
  (*cfs)[kIndex].options.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexPrefix>();
  (*cfs)[kTraces].options = make_cf(true, 0);
  random_keys(&(*cfs)[kTraces].options);
  (*cfs)[kTraces].options.merge_operator = NewSummaryMergeOperator();
  summary_filter_ = NewSummaryRetentionFilter(&retention_cutoff_ns_);
  (*cfs)[kTraces].options.compaction_filter = summary_filter_.get();
  (*cfs)[kLogs].options = make_cf(false, 0);
  // Log and log-by-service keys also end with a 16-byte (~time | seq) tail
  // after a stable prefix, and a batch puts them in key order.
  (*cfs)[kLogs].options.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexPrefix>();
  (*cfs)[kLogTrace].options = make_cf(true, keys::kTracePrefixSize);
  random_keys(&(*cfs)[kLogTrace].options);
  (*cfs)[kNames].options = make_cf(false, 0);
  (*cfs)[kResources].options = make_cf(true, 0);
  (*cfs)[kMeta].options = make_cf(false, 0);
  (*cfs)[kLogService].options = make_cf(false, 0);
  random_keys(&(*cfs)[kLogService].options);
  (*cfs)[kLogService].options.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexPrefix>();
}

Result<std::unique_ptr<Store>> RocksDbStore::Open(const RocksDbOptions& options) {
  if (options.path.empty()) return InvalidArgument("store path is empty");
  if (options.bucket_seconds == 0 || options.bucket_seconds > 366ull * 86400) {
    return InvalidArgument("bucket_seconds must be in 1..31622400");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Unavailable("cannot create " + options.path + ": " + ec.message());

  std::unique_ptr<RocksDbStore> store(new RocksDbStore(options));

  rocksdb::DBOptions db_opts;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  store->MakeOptions(&db_opts, &cfs);
  // Opening read-write deletes table files the MANIFEST does not name: a
  // damaged MANIFEST would make that data vanish. Look first, read-only.
  CALLPATH_RETURN_IF_ERROR(store->CheckBeforeOpen(db_opts, cfs));

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_opts, options.path, cfs, &store->handles_, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Unavailable("store " + options.path + " is in use: " + s.ToString());
    }
    return FromRocks(s, "open " + options.path);
  }
  store->db_.reset(raw);

  // The bucket width is part of every key: it cannot change after creation.
  std::string v;
  s = raw->Get({}, store->cf(kMeta), "bucket_seconds", &v);
  if (s.ok()) {
    if (v != std::to_string(options.bucket_seconds)) {
      return InvalidArgument("store was created with bucket_seconds=" + v);
    }
    std::string format;
    if (!raw->Get({}, store->cf(kMeta), "format", &format).ok()) format = "1";
    if (IsUpgradableFormat(format)) {
      // From now on joined blobs and record lists may be written, which
      // older readers would take for corruption or miss.
      rocksdb::WriteOptions wo;
      wo.sync = true;
      s = raw->Put(wo, store->cf(kMeta), "format", kFormat);
      if (!s.ok()) return FromRocks(s, "write meta");
    } else if (format != kFormat) {
      return InvalidArgument("store " + options.path + " has format " + format +
                             "; this version reads formats 3 to " + kFormat);
    }
  } else if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::WriteBatch meta;
    meta.Put(store->cf(kMeta), "bucket_seconds", std::to_string(options.bucket_seconds));
    meta.Put(store->cf(kMeta), "format", kFormat);
    s = raw->Write(wo, &meta);
    if (!s.ok()) return FromRocks(s, "write meta");
  } else {
    return FromRocks(s, "read meta");
  }
  if (raw->Get({}, store->cf(kMeta), kIngestPositionKey, &v).ok() && v.size() == 8) {
    uint64_t pos = enc::ReadBigEndian64(v.data());
    store->durable_position_ = pos;
    store->applied_position_ = pos;
  }
  if (raw->Get({}, store->cf(kMeta), "retention_cutoff_ns", &v).ok()) {
    store->retention_cutoff_ns_ = std::strtoull(v.c_str(), nullptr, 10);
  }

  // Bucket bounds from the first and last keys of the time-keyed families.
  for (Cf c : {kSpans, kLogs}) {
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator({}, store->cf(c)));
    it->SeekToFirst();
    if (it->Valid() && it->key().size() >= 4) store->NoteBucket(enc::ReadBigEndian32(it->key().data()));
    it->SeekToLast();
    if (it->Valid() && it->key().size() >= 4) store->NoteBucket(enc::ReadBigEndian32(it->key().data()));
  }
  // Log sequence numbers only need to be unique per (time, seq): seeding
  // with the wall clock keeps them unique across restarts.
  const auto now_ns = static_cast<uint64_t>(
      std::chrono::system_clock::now().time_since_epoch() / std::chrono::nanoseconds(1));
  store->log_seq_ = now_ns;
  // Segment numbers must also grow across restarts (a re-sent span replaces
  // the older copy because its segment is newer): start above both the wall
  // clock and the highest segment stored, found from the last trace table
  // of each bucket present.
  uint64_t next_seq = now_ns;
  {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(ro, store->cf(kIndex)));
    for (it->SeekToFirst(); it->Valid();) {
      if (it->key().size() < keys::kBucketSize) break;
      uint32_t b = enc::ReadBigEndian32(it->key().data());
      std::string table_prefix = keys::Bucket(b) + static_cast<char>(keys::kTable);
      it->SeekForPrev(keys::TableKey(b, UINT64_MAX));
      if (it->Valid() && it->key().starts_with(table_prefix) &&
          it->key().size() == table_prefix.size() + 8) {
        next_seq = std::max(next_seq, enc::ReadBigEndian64(it->key().data() + table_prefix.size()) + 1);
      }
      if (b == UINT32_MAX) break;
      it->Seek(keys::Bucket(b + 1));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan segments");
  }
  store->segment_seq_ = next_seq;
  return std::unique_ptr<Store>(std::move(store));
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
  for (Cf c : {kSpans, kIndex, kLogs, kLogTrace, kLogService}) {
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
  // Give the disk space back now rather than at some later compaction.
  rocksdb::Slice slo(lo), shi(hi);
  for (Cf c : {kSpans, kIndex, kLogs, kLogTrace, kLogService}) {
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
