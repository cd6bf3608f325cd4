// The RocksDB options of the store: one set for the database, one per
// column family, each choice with the reason it was made (most were
// measured against ingest CPU on a 2-core machine, docs/benchmarks.md).
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"

namespace callpath::store {

namespace {

const char* const kCfNames[RocksDbStore::kCfCount] = {rocksdb::kDefaultColumnFamilyName.c_str(),
                                                      "index",
                                                      "traces",
                                                      "logs",
                                                      "log_trace",
                                                      "names",
                                                      "resources",
                                                      "meta",
                                                      "log_service",
                                                      "stats"};
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
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= keys::kIndexTailSize; }
};

rocksdb::CompressionType Pick(rocksdb::CompressionType want, rocksdb::CompressionType fallback) {
  for (auto t : rocksdb::GetSupportedCompressions()) {
    if (t == want) return want;
  }
  return fallback;
}

// The options every column family starts from: block cache, compression by
// level, level-0 triggers, and a bloom filter or prefix extractor if asked.
rocksdb::ColumnFamilyOptions BaseCfOptions(const RocksDbOptions& options, const std::shared_ptr<rocksdb::Cache>& cache,
                                           rocksdb::CompressionType light, bool bloom, size_t prefix_len) {
  rocksdb::ColumnFamilyOptions o;
  o.write_buffer_size = options.write_buffer_bytes;
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
}

// Span, summary and log-by-trace keys are random within their bucket
// (they lead with a trace id), so every flushed file overlaps everything
// below it and leveled compaction rewrites the whole bucket again and
// again (cost growing with the run). Universal compaction merges sorted
// runs of similar size instead: each byte is rewritten about log(N)
// times. Point reads (by trace id) stay cheap through bloom filters;
// retention drops whole buckets by range, not by level.
void UseUniversalCompaction(rocksdb::ColumnFamilyOptions* o) {
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
}

}  // namespace

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
  MakeColumnFamilies(cfs);
}

void RocksDbStore::MakeColumnFamilies(std::vector<rocksdb::ColumnFamilyDescriptor>* cfs) {
  auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  auto light = Pick(rocksdb::kLZ4Compression, rocksdb::kSnappyCompression);
  cfs->assign(kCfCount, {});
  for (int i = 0; i < kCfCount; ++i) (*cfs)[i].name = kCfNames[i];
  (*cfs)[kSpans].options = BaseCfOptions(options_, cache, light, true, keys::kTracePrefixSize);
  UseUniversalCompaction(&(*cfs)[kSpans].options);
  // Span blobs arrive zstd-compressed (seg::CompressBlob): compressing
  // them again at every compaction would cost CPU for nothing.
  (*cfs)[kSpans].options.compression = rocksdb::kNoCompression;
  (*cfs)[kSpans].options.bottommost_compression = rocksdb::kNoCompression;
  (*cfs)[kIndex].options = BaseCfOptions(options_, cache, light, false, 0);
  // A term's newer posting keys sort before its older ones (~max_start),
  // so each flush overlaps every term's range below as well.
  UseUniversalCompaction(&(*cfs)[kIndex].options);
  // Posting lists are varints already: LZ4 saved about a quarter of their
  // bytes for a large share of compaction CPU.
  (*cfs)[kIndex].options.compression = rocksdb::kNoCompression;
  (*cfs)[kIndex].options.bottommost_compression = rocksdb::kNoCompression;
  (*cfs)[kIndex].options.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexPrefix>();
  (*cfs)[kTraces].options = BaseCfOptions(options_, cache, light, true, 0);
  UseUniversalCompaction(&(*cfs)[kTraces].options);
  (*cfs)[kTraces].options.merge_operator = NewSummaryMergeOperator();
  summary_filter_ = NewSummaryRetentionFilter(&retention_cutoff_ns_);
  (*cfs)[kTraces].options.compaction_filter = summary_filter_.get();
  // Bloom filters, in tables and memtables: a record with a log.record.uid
  // is looked up before it is written (DropStoredRepeats), and the answer
  // is nearly always "not there".
  (*cfs)[kLogs].options = BaseCfOptions(options_, cache, light, true, 0);
  (*cfs)[kLogs].options.memtable_whole_key_filtering = true;
  (*cfs)[kLogs].options.memtable_prefix_bloom_size_ratio = 0.02;
  // Log and log-by-service keys also end with a 16-byte (~time | seq) tail
  // after a stable prefix, and a batch puts them in key order.
  (*cfs)[kLogs].options.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexPrefix>();
  (*cfs)[kLogTrace].options = BaseCfOptions(options_, cache, light, true, keys::kTracePrefixSize);
  UseUniversalCompaction(&(*cfs)[kLogTrace].options);
  (*cfs)[kNames].options = BaseCfOptions(options_, cache, light, false, 0);
  (*cfs)[kResources].options = BaseCfOptions(options_, cache, light, true, 0);
  (*cfs)[kMeta].options = BaseCfOptions(options_, cache, light, false, 0);
  (*cfs)[kLogService].options = BaseCfOptions(options_, cache, light, false, 0);
  UseUniversalCompaction(&(*cfs)[kLogService].options);
  (*cfs)[kLogService].options.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexPrefix>();
  // Statistics rows: a few per operation and minute, put whole by every
  // write that changes them; the bloom filter answers the writer's read of
  // a row it does not hold (usually: none yet) without touching a block.
  (*cfs)[kStats].options = BaseCfOptions(options_, cache, light, true, 0);
}

}  // namespace callpath::store
