#include "daemon/tenants/tenant_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "store/rocksdb/rocksdb_store.h"

namespace callpath::daemon {
namespace {

namespace otlpv1 = opentelemetry::proto;

constexpr uint64_t kHour = 3600ull * 1'000'000'000;

// One span of trace `trace` (its last byte) starting at `start_ns`.
std::string TraceBody(uint8_t trace, uint64_t start_ns) {
  otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("svc");
  auto* s = rs->add_scope_spans()->add_spans();
  std::string tid(16, '\0'), sid(8, '\0');
  tid[15] = static_cast<char>(trace);
  sid[7] = 1;
  s->set_trace_id(tid);
  s->set_span_id(sid);
  s->set_name("op");
  s->set_start_time_unix_nano(start_ns);
  s->set_end_time_unix_nano(start_ns + 1000);
  return req.SerializeAsString();
}

TraceId Trace(uint8_t trace) {
  TraceId t;
  t.mutable_bytes()[15] = trace;
  return t;
}

uint64_t NowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

class TenantRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tenant-registry-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<TenantRegistry> Open() {
    TenantRegistryOptions o;
    o.data_dir = dir_;
    o.open_store = [](const std::string&, const std::string& dir) {
      store::RocksDbOptions so;
      so.path = dir;
      so.sync_writes = false;
      return store::OpenRocksDbStore(so);
    };
    o.ingest.wal.sync = false;
    o.ingest.limits.max_age_ns = 0;  // the test writes old spans
    o.tenants["short"].retention_seconds = 3600;
    o.retention_seconds = 0;  // the others keep everything
    auto r = std::make_unique<TenantRegistry>(std::move(o), metrics_);
    EXPECT_TRUE(r->OpenExisting().ok());
    return r;
  }

  // Exports one trace as `tenant` and waits until it is readable.
  void Write(TenantRegistry& r, const std::string& tenant, uint8_t trace, uint64_t start_ns) {
    ExportService exporter([&r](std::string_view t) { return r.ForIngest(t); }, metrics_);
    std::promise<ExportOutcome> done;
    exporter.Export(Signal::kTraces, Encoding::kProtobuf, tenant, TraceBody(trace, start_ns),
                    [&](ExportOutcome o) { done.set_value(std::move(o)); });
    ASSERT_EQ(done.get_future().get().code, ExportOutcome::Code::kOk);
    ASSERT_TRUE(r.Get(tenant).value()->pipeline().WaitVisible(std::chrono::seconds(30)));
  }

  bool Has(TenantRegistry& r, const std::string& tenant, uint8_t trace) {
    Result<store::Store*> s = r.StoreFor(tenant);
    return s.ok() && s.value()->span_reader().GetTrace(Trace(trace)).ok();
  }

  std::string dir_;
  DaemonMetrics metrics_;
};

TEST_F(TenantRegistryTest, EachTenantHasItsOwnDirectoryAndStore) {
  auto r = Open();
  const uint64_t now = NowNs();
  Write(*r, "", 1, now);
  Write(*r, "a", 2, now);
  Write(*r, "b", 3, now);
  EXPECT_TRUE(Has(*r, "", 1));
  EXPECT_TRUE(Has(*r, "a", 2));
  EXPECT_FALSE(Has(*r, "a", 1));
  EXPECT_FALSE(Has(*r, "a", 3));
  EXPECT_FALSE(Has(*r, "b", 2));
  EXPECT_FALSE(Has(*r, "", 2));
  EXPECT_TRUE(std::filesystem::is_directory(dir_ + "/tenants/a/ingest-wal"));
  EXPECT_TRUE(std::filesystem::is_directory(dir_ + "/ingest-wal"));
  // Names that are not tenant names never become directories.
  for (const std::string& bad : std::vector<std::string>{".", "..", "a/b", "../x", std::string(65, 'x')}) {
    EXPECT_EQ(r->Get(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(r->Admit("..").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TenantRegistryTest, TenantsOnDiskAreOpenedAtStartAndKeepTheirData) {
  const uint64_t now = NowNs();
  {
    auto r = Open();
    Write(*r, "a", 2, now);
    r->StopPipelines();
    ASSERT_TRUE(r->CloseStores().ok());
  }
  auto r = Open();
  std::vector<std::string> names;
  for (Tenant* t : r->All()) names.push_back(t->name());
  EXPECT_EQ(names, (std::vector<std::string>{"", "a"}));
  EXPECT_TRUE(Has(*r, "a", 2));
  EXPECT_FALSE(Has(*r, "", 2));
}

TEST_F(TenantRegistryTest, RetentionIsPerTenant) {
  auto r = Open();
  const uint64_t now = NowNs();
  Write(*r, "short", 1, now - 48 * kHour);
  Write(*r, "short", 2, now);
  Write(*r, "long", 1, now - 48 * kHour);
  r->ApplyRetention(now);
  EXPECT_FALSE(Has(*r, "short", 1));  // older than its hour
  EXPECT_TRUE(Has(*r, "short", 2));
  EXPECT_TRUE(Has(*r, "long", 1));  // no retention of its own, none globally
}

TEST_F(TenantRegistryTest, StoppedRegistryOpensNoTenant) {
  auto r = Open();
  r->StopPipelines();
  EXPECT_EQ(r->Get("late").status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/tenants/late"));
}

TEST(ClickHouseDatabaseFor, DefaultKeepsTheNameOthersGetTheirOwn) {
  EXPECT_EQ(ClickHouseDatabaseFor("callpath", ""), "callpath");
  EXPECT_EQ(ClickHouseDatabaseFor("callpath", "shop2"), "callpath_t_shop2");
  EXPECT_EQ(ClickHouseDatabaseFor("callpath", "a.b"), "callpath_x_612e62");
  EXPECT_NE(ClickHouseDatabaseFor("callpath", "a_b"), ClickHouseDatabaseFor("callpath", "a-b"));
}

}  // namespace
}  // namespace callpath::daemon
