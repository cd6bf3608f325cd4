#include "store/rocksdb/rocksdb_store.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "store/log_template.h"
#include "store/read_deadline.h"
#include "store/testing/conformance.h"

namespace callpath::store {
namespace {

using testing::StoreConformanceTest;
using testing::StoreFactory;

Result<std::unique_ptr<Store>> OpenAt(const std::string& dir) {
  RocksDbOptions o;
  o.path = dir;
  o.block_cache_bytes = 8 << 20;
  o.write_buffer_bytes = 4 << 20;
  return OpenRocksDbStore(o);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values(StoreFactory{"rocksdb", OpenAt}),
                         testing::StoreFactoryName);

TEST(RocksDbStoreTest, SecondOpenOfTheSameDirectoryIsUnavailable) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-lock";
  std::filesystem::remove_all(dir);
  auto first = OpenAt(dir);
  ASSERT_TRUE(first.ok());
  auto second = OpenAt(dir);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
  EXPECT_TRUE((*first)->Close().ok());
  std::filesystem::remove_all(dir);
}

TEST(RocksDbStoreTest, BucketWidthIsFixedAtCreation) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-bucket";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(OpenAt(dir).ok());
  RocksDbOptions o;
  o.path = dir;
  o.bucket_seconds = 60;
  EXPECT_EQ(OpenRocksDbStore(o).status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

// A store of format 2 (leveled compaction everywhere, span blobs never
// compressed) written by an older version: refused with a message that
// names both formats, not misread and not an obscure RocksDB error.
TEST(RocksDbStoreTest, OlderFormatIsRefusedClearly) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-format2";
  std::filesystem::remove_all(dir);
  {
    rocksdb::DBOptions db_opts;
    db_opts.create_if_missing = true;
    db_opts.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "index", "traces", "logs", "log_trace", "names", "resources",
                             "meta", "log_service"}) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(db_opts, dir, cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put({}, handles[7], "bucket_seconds", "3600").ok());
    ASSERT_TRUE(db->Put({}, handles[7], "format", "2").ok());
    ASSERT_TRUE(db->Put({}, handles[0], std::string(28, 'k'), "old blob").ok());
    // Data below level 0, as leveled compaction leaves it.
    rocksdb::CompactRangeOptions co;
    co.change_level = true;
    co.target_level = 3;
    for (auto* h : handles) ASSERT_TRUE(db->CompactRange(co, h, nullptr, nullptr).ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto opened = OpenAt(dir);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument) << opened.status().ToString();
  EXPECT_NE(opened.status().ToString().find("has format 2"), std::string::npos) << opened.status().ToString();
  std::filesystem::remove_all(dir);
}

// Formats 3 to 7 lack only joined blobs, record lists, version-2
// summaries, template ids in log values, the stats column family and LZ4
// blobs: such a store opens, and is marked format 8 before anything new is
// written.
TEST(RocksDbStoreTest, OlderReadableFormatsAreOpenedAndMarkedFormat8) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-format3";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(OpenAt(dir).ok());  // creates it, closes it
  auto set_or_read_format = [&](const char* to_write) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    std::string format;
    EXPECT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, cfs, &handles, &raw).ok());
    size_t meta = std::find(names.begin(), names.end(), "meta") - names.begin();
    if (to_write != nullptr) EXPECT_TRUE(raw->Put({}, handles[meta], "format", to_write).ok());
    EXPECT_TRUE(raw->Get({}, handles[meta], "format", &format).ok());
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    EXPECT_TRUE(raw->Close().ok());
    delete raw;
    return format;
  };
  for (const char* older : {"3", "4", "5", "6", "7"}) {
    set_or_read_format(older);
    {
      auto reopened = OpenAt(dir);
      ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
      EXPECT_TRUE((*reopened)->Close().ok());
    }
    EXPECT_EQ(set_or_read_format(nullptr), "8") << "from " << older;
  }
  std::filesystem::remove_all(dir);
}

StoredSpan SpanOf(uint8_t trace, uint8_t id, const std::string& service, uint64_t start_ns) {
  StoredSpan s;
  s.trace_id.mutable_bytes()[15] = trace;
  s.span_id.mutable_bytes()[7] = id;
  s.service = service;
  s.operation = "op-" + service;
  s.start_ns = start_ns;
  s.duration_ns = 1000;
  return s;
}

IngestBatch BatchOf(std::vector<StoredSpan> spans, const std::string& host) {
  IngestBatch b;
  b.resources.push_back({{"host.name", Value::String(host)}});
  b.span_resource.assign(spans.size(), 0);
  b.spans = std::move(spans);
  return b;
}

// Spans of one trace come in several requests (one per service) that the
// daemon writes together: one trace, one summary, every span once, and
// searchable by what each request brought - also by a tag too long for the
// tag index, which search checks on the (joined) span blob.
TEST(RocksDbStoreTest, PreparedBatchesOfOneTraceWriteAsOneTrace) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-prepared";
  std::filesystem::remove_all(dir);
  auto opened = OpenAt(dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  Writer* writer = &store.writer();

  const uint64_t t0 = 1'700'000'000'000'000'000ull;
  StoredSpan root = SpanOf(1, 1, "front", t0);
  root.duration_ns = 50'000;
  StoredSpan child = SpanOf(1, 2, "back", t0 + 100);
  child.parent_span_id = root.span_id;
  child.status = SpanStatus::kError;
  const std::string long_value(400, 'x');
  child.attributes = {{"blob", Value::String(long_value)}};
  StoredSpan other = SpanOf(2, 3, "back", t0 + 200);
  StoredSpan root_again = root;  // the same span re-sent in the second request

  auto first = writer->Prepare(BatchOf({root}, "a"));
  auto second = writer->Prepare(BatchOf({child, other, root_again}, "b"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*second)->span_count(), 3u);
  ASSERT_TRUE(writer->Write({first->get(), second->get()}, 1).ok());

  TraceId trace = root.trace_id;
  auto spans = store.span_reader().GetTrace(trace);
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  ASSERT_EQ(spans->size(), 2u);
  EXPECT_EQ((*spans)[0].span_id, root.span_id);
  EXPECT_EQ((*spans)[1].attributes, child.attributes);
  EXPECT_EQ((*spans)[1].resource_attributes, (Attributes{{"host.name", Value::String("b")}}));

  auto summary = store.span_reader().GetTraceSummary(trace);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->span_count, 2u);
  EXPECT_EQ(summary->error_count, 1u);
  EXPECT_EQ(summary->root_service, "front");
  EXPECT_EQ(summary->services, (std::vector<std::string>{"back", "front"}));

  TraceQuery by_tag;
  by_tag.tags = {{"blob", long_value}};
  auto found = store.span_reader().FindTraces(by_tag);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].trace_id, trace);
  TraceQuery errors_of_front;
  errors_of_front.service = "front";
  errors_of_front.errors_only = true;
  found = store.span_reader().FindTraces(errors_of_front);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u) << "the error came in the other request";
  TraceQuery back;
  back.service = "back";
  found = store.span_reader().FindTraces(back);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 2u);
  EXPECT_TRUE(store.Close().ok());
  std::filesystem::remove_all(dir);
}

// The daemon's write path (Prepare on many threads, then Write of
// several prepared batches at once) against the plain one: random traces
// whose spans come in random requests (some spans sent twice), with log
// records, grouped into random writes, must read back exactly as a fold of
// what was sent says - every span once, the summary, a search by each
// service and tag, every log record by trace and by service.
TEST(RocksDbStoreTest, PreparedWritesOfRandomSplitsReadBackLikeTheSpansThemselves) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-prepared-random";
  std::filesystem::remove_all(dir);
  auto opened = OpenAt(dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  Writer* writer = &store.writer();
  std::mt19937_64 rng(20261127);
  const uint64_t t0 = 1'700'000'000'000'000'000ull;
  const std::vector<std::string> services = {"front", "cart", "pay", "ship"};

  std::vector<StoredSpan> all;
  std::map<TraceId, std::vector<const StoredSpan*>> by_trace;
  for (uint8_t t = 1; t <= 40; ++t) {
    const size_t n = 1 + rng() % 12;
    // Some traces straddle a window boundary (the bucket is an hour, a
    // window 1/64 of it): their spans fall into two segments.
    const uint64_t start = t0 + (rng() % 4) * 56'250'000'000ull + t * 1'000'000;
    for (size_t i = 0; i < n; ++i) {
      StoredSpan s = SpanOf(t, static_cast<uint8_t>(i + 1), services[rng() % services.size()],
                            start + (rng() % 60'000'000'000ull));
      if (i > 0) s.parent_span_id.mutable_bytes()[7] = 1;
      if (rng() % 5 == 0) s.status = SpanStatus::kError;
      s.attributes = {{"shard", Value::Int(static_cast<int64_t>(rng() % 3))}};
      all.push_back(std::move(s));
    }
  }
  // Log records: most in a trace, some in none, from each service.
  std::vector<StoredLog> logs;
  for (int i = 0; i < 300; ++i) {
    StoredLog l;
    l.time_ns = t0 + (rng() % 240'000'000'000ull);
    if (rng() % 4 != 0) l.trace_id.mutable_bytes()[15] = static_cast<uint8_t>(1 + rng() % 40);
    l.service = services[rng() % services.size()];
    l.body = Value::String("log " + std::to_string(i));
    logs.push_back(std::move(l));
  }
  // Requests: each span and log goes to a random one of 25; a few spans
  // also to a second.
  std::vector<std::vector<StoredSpan>> requests(25);
  std::vector<std::vector<StoredLog>> request_logs(requests.size());
  for (const StoredSpan& s : all) {
    requests[rng() % requests.size()].push_back(s);
    if (rng() % 10 == 0) requests[rng() % requests.size()].push_back(s);
  }
  for (const StoredLog& l : logs) request_logs[rng() % requests.size()].push_back(l);
  std::vector<std::unique_ptr<PreparedBatch>> prepared;
  for (size_t i = 0; i < requests.size(); ++i) {
    std::shuffle(requests[i].begin(), requests[i].end(), rng);
    IngestBatch b = BatchOf(std::move(requests[i]), "h");
    b.logs = std::move(request_logs[i]);
    b.log_resource.assign(b.logs.size(), 0);
    if (b.items() == 0) continue;
    auto p = writer->Prepare(std::move(b));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    prepared.push_back(std::move(p).value());
  }
  // Writes of 1 to 6 batches each.
  uint64_t position = 0;
  for (size_t i = 0; i < prepared.size();) {
    std::vector<const PreparedBatch*> write;
    for (size_t k = 1 + rng() % 6; k > 0 && i < prepared.size(); --k) write.push_back(prepared[i++].get());
    ASSERT_TRUE(writer->Write(write, ++position).ok());
  }

  for (const StoredSpan& s : all) by_trace[s.trace_id].push_back(&s);
  for (const auto& [trace, spans] : by_trace) {
    auto got = store.span_reader().GetTrace(trace);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::set<SpanId> want_ids, got_ids;
    for (const StoredSpan* s : spans) want_ids.insert(s->span_id);
    for (const StoredSpan& s : *got) EXPECT_TRUE(got_ids.insert(s.span_id).second) << "a span came back twice";
    EXPECT_EQ(got_ids, want_ids);
    for (size_t i = 1; i < got->size(); ++i) EXPECT_LE((*got)[i - 1].start_ns, (*got)[i].start_ns);

    TraceSummary want;
    for (const StoredSpan* s : spans) AddSpanToSummary(*s, &want);
    want.trace_id = trace;
    auto summary = store.span_reader().GetTraceSummary(trace);
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->span_count, want.span_count);
    EXPECT_EQ(summary->error_count, want.error_count);
    EXPECT_EQ(summary->services, want.services);
    EXPECT_EQ(summary->start_ns, want.start_ns);
    EXPECT_EQ(summary->duration_ns, want.duration_ns);
  }
  auto body_text = [](const StoredLog& l) { return l.body.text; };
  for (uint8_t t = 1; t <= 40; ++t) {
    TraceId trace;
    trace.mutable_bytes()[15] = t;
    std::multiset<std::string> want, got;
    for (const StoredLog& l : logs)
      if (l.trace_id == trace) want.insert(body_text(l));
    auto found = store.log_reader().LogsForTrace(trace);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    for (const StoredLog& l : *found) got.insert(body_text(l));
    EXPECT_EQ(got, want) << "trace " << int{t};
    for (size_t i = 1; i < found->size(); ++i) EXPECT_LE((*found)[i - 1].time_ns, (*found)[i].time_ns);
  }
  for (const std::string& service : services) {
    LogQuery q;
    q.service = service;
    q.limit = 1000;
    auto found = store.log_reader().SearchLogs(q);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    std::multiset<std::string> want, got;
    for (const StoredLog& l : logs)
      if (l.service == service) want.insert(body_text(l));
    for (const StoredLog& l : *found) got.insert(body_text(l));
    EXPECT_EQ(got, want) << service;
    for (size_t i = 1; i < found->size(); ++i) EXPECT_GE((*found)[i - 1].time_ns, (*found)[i].time_ns);
    // With a limit: exactly the newest ones, although lists of different
    // writes overlap in time.
    std::vector<uint64_t> times;
    for (const StoredLog& l : logs)
      if (l.service == service) times.push_back(l.time_ns);
    std::sort(times.rbegin(), times.rend());
    times.resize(std::min<size_t>(times.size(), 10));
    q.limit = 10;
    found = store.log_reader().SearchLogs(q);
    ASSERT_TRUE(found.ok());
    std::vector<uint64_t> got_times;
    for (const StoredLog& l : *found) got_times.push_back(l.time_ns);
    EXPECT_EQ(got_times, times) << service;
  }
  for (const std::string& service : services) {
    for (int64_t shard = 0; shard < 3; ++shard) {
      std::set<TraceId> want;
      for (const StoredSpan& s : all) {
        if (s.service == service && s.attributes[0].value.int_value == shard) want.insert(s.trace_id);
      }
      TraceQuery q;
      q.service = service;
      q.tags = {{"shard", std::to_string(shard)}};
      q.limit = 1000;
      auto found = store.span_reader().FindTraces(q);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      std::set<TraceId> got;
      for (const TraceSummary& t : *found) got.insert(t.trace_id);
      EXPECT_EQ(got, want) << service << " shard " << shard;
    }
  }
  EXPECT_TRUE(store.Close().ok());
  std::filesystem::remove_all(dir);
}

TEST(RocksDbStoreTest, PrepareRefusesInvalidIdsAndResourceIndexes) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-prepare-invalid";
  std::filesystem::remove_all(dir);
  auto opened = OpenAt(dir);
  ASSERT_TRUE(opened.ok());
  Writer* writer = &(*opened)->writer();
  StoredSpan no_id = SpanOf(1, 0, "s", 1000);
  EXPECT_EQ(writer->Prepare(BatchOf({no_id}, "h")).status().code(), StatusCode::kInvalidArgument);
  IngestBatch out_of_range = BatchOf({SpanOf(1, 1, "s", 1000)}, "h");
  out_of_range.span_resource[0] = 5;
  EXPECT_EQ(writer->Prepare(std::move(out_of_range)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*opened)->Close().ok());
  std::filesystem::remove_all(dir);
}

TEST(RocksDbStoreTest, StatisticsSwitchedOffKeepNoRowsAndReadersStillGiveTemplateIds) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-no-stats";
  std::filesystem::remove_all(dir);
  RocksDbOptions o;
  o.path = dir;
  o.keep_stats = false;
  auto opened = OpenRocksDbStore(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  StoredLog log;
  log.trace_id.mutable_bytes()[0] = 7;
  log.time_ns = 1'700'000'000'000'000'000ull;
  log.service = "cart";
  log.body = Value::String("cart 12 loaded");
  ASSERT_TRUE(testing::WriteAt(store.writer(), 1, {SpanOf(1, 1, "cart", log.time_ns)}, {log}).ok());
  StatsQuery q;
  auto ops = store.stats_reader().Operations(q);
  ASSERT_TRUE(ops.ok());
  EXPECT_TRUE(ops->empty());
  auto templates = store.stats_reader().LogTemplates(q);
  ASSERT_TRUE(templates.ok());
  EXPECT_TRUE(templates->empty());
  auto logs = store.log_reader().LogsForTrace(log.trace_id);
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].template_id, LogTemplateOf("cart <*> loaded").id);
  EXPECT_TRUE(store.Close().ok());
  std::filesystem::remove_all(dir);
}

// A query past its time limit stops its scans: with the thread's read
// deadline passed, a search, a log search and the dependency scan answer
// kDeadlineExceeded; the same reads succeed without it and after the guard.
TEST(RocksDbStoreTest, ScansStopWithDeadlineExceededOnceTheReadDeadlinePassed) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-deadline";
  std::filesystem::remove_all(dir);
  auto opened = OpenAt(dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  const uint64_t t0 = 1'700'000'000'000'000'000ull;
  StoredSpan root = SpanOf(1, 1, "front", t0);
  StoredSpan child = SpanOf(1, 2, "back", t0 + 100);
  child.parent_span_id = root.span_id;
  StoredLog log;
  log.trace_id = root.trace_id;
  log.time_ns = t0;
  log.service = "front";
  log.body = Value::String("order placed");
  ASSERT_TRUE(testing::WriteAt(store.writer(), 1, {root, child}, {log}).ok());
  TraceQuery search;
  search.service = "back";
  search.start_time_min_ns = t0 - 1'000'000'000;
  search.start_time_max_ns = t0 + 1'000'000'000;
  LogQuery logs;
  logs.start_time_min_ns = t0 - 1'000'000'000;
  logs.start_time_max_ns = t0 + 1'000'000'000;
  LogQuery logs_of_front = logs;
  logs_of_front.service = "front";
  {
    ScopedReadDeadline passed(ReadClock::now() - std::chrono::seconds(1));
    EXPECT_EQ(store.span_reader().FindTraces(search).status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_EQ(store.log_reader().SearchLogs(logs).status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_EQ(store.log_reader().SearchLogs(logs_of_front).status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_EQ(store.span_reader().GetDependencies(t0 - 1'000'000'000, t0 + 1'000'000'000).status().code(),
              StatusCode::kDeadlineExceeded);
  }
  {
    ScopedReadDeadline ahead(ReadClock::now() + std::chrono::hours(1));
    auto found = store.span_reader().FindTraces(search);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(found->size(), 1u);
  }
  auto found = store.span_reader().FindTraces(search);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->size(), 1u);
  auto deps = store.span_reader().GetDependencies(t0 - 1'000'000'000, t0 + 1'000'000'000);
  ASSERT_TRUE(deps.ok()) << deps.status().ToString();
  EXPECT_EQ(deps->size(), 1u);
  auto front_logs = store.log_reader().SearchLogs(logs_of_front);
  ASSERT_TRUE(front_logs.ok()) << front_logs.status().ToString();
  EXPECT_EQ(front_logs->size(), 1u);
  EXPECT_TRUE(store.Close().ok());
  std::filesystem::remove_all(dir);
}

// A shipper that cannot know whether its last batch was stored sends it
// again after a restart; records that carry log.record.uid are stored and
// counted once however often they come, in later writes or in the same
// one. Records without a uid are each a record of their own.
TEST(RocksDbStoreTest, ALogRecordSentAgainWithItsUidIsStoredAndCountedOnce) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-log-uid";
  std::filesystem::remove_all(dir);
  auto opened = OpenAt(dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  const uint64_t t0 = 1'700'000'000'000'000'000ull;
  auto log_of = [&](uint64_t dt, const std::string& body, const std::string& uid) {
    StoredLog l;
    l.trace_id.mutable_bytes()[0] = 9;
    l.observed_ns = t0 + dt;  // no time of its own: ordered by when it was seen
    l.service = "cart";
    l.body = Value::String(body);
    if (!uid.empty()) l.attributes.push_back({"log.record.uid", Value::String(uid)});
    return l;
  };
  const StoredLog with_uid = log_of(1, "cart 1 loaded", "f00d000000000040");
  const StoredLog without_uid = log_of(2, "user 2 left", "");
  const StoredLog same_write = log_of(3, "order 3 paid", "f00d000000000080");
  ASSERT_TRUE(testing::WriteAt(store.writer(), 1, {}, {with_uid, without_uid}).ok());
  ASSERT_TRUE(testing::WriteAt(store.writer(), 2, {}, {with_uid, without_uid, with_uid}).ok());
  // Two requests of one write, each with the same record.
  Writer& writer = store.writer();
  auto first = writer.Prepare(MakeIngestBatch({}, {same_write}));
  auto second = writer.Prepare(MakeIngestBatch({}, {same_write, with_uid}));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*second)->log_count(), 1u) << "the record stored before is left out";
  ASSERT_TRUE(writer.Write({first->get(), second->get()}, 3).ok());

  auto bodies = [](const Result<std::vector<StoredLog>>& logs) {
    std::multiset<std::string> out;
    if (logs.ok())
      for (const StoredLog& l : *logs) out.insert(l.body.text);
    return out;
  };
  const std::multiset<std::string> expected = {"cart 1 loaded", "user 2 left", "user 2 left", "order 3 paid"};
  EXPECT_EQ(bodies(store.log_reader().LogsForTrace(with_uid.trace_id)), expected);
  LogQuery by_service;
  by_service.service = "cart";
  by_service.start_time_min_ns = t0;
  by_service.start_time_max_ns = t0 + 10;
  EXPECT_EQ(bodies(store.log_reader().SearchLogs(by_service)), expected);
  LogQuery by_time = by_service;
  by_time.service.clear();
  EXPECT_EQ(bodies(store.log_reader().SearchLogs(by_time)), expected);
  EXPECT_EQ(store.Stats().logs_written, 5u);  // 2 + 1 + 2: the repeats were not written

  auto templates = store.stats_reader().LogTemplates(StatsQuery{});
  ASSERT_TRUE(templates.ok()) << templates.status().ToString();
  std::map<std::string, uint64_t> counts;
  for (const LogTemplateStats& t : *templates) counts[t.template_text] += t.count;
  EXPECT_EQ(counts["cart <*> loaded"], 1u);
  EXPECT_EQ(counts["user <*> left"], 2u);

  // After a reopen the repeat is still recognised (the check reads the store).
  ASSERT_TRUE(store.Close().ok());
  opened = OpenAt(dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_TRUE(testing::WriteAt((*opened)->writer(), 4, {}, {with_uid}).ok());
  EXPECT_EQ(bodies((*opened)->log_reader().LogsForTrace(with_uid.trace_id)), expected);
  EXPECT_TRUE((*opened)->Close().ok());
  std::filesystem::remove_all(dir);
}

TEST(RocksDbStoreTest, EmptyPathIsInvalid) {
  EXPECT_EQ(OpenRocksDbStore(RocksDbOptions{}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace callpath::store
