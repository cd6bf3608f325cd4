// Tenants on a live callpathd: two tenants write (OTLP/HTTP and OTLP/gRPC)
// and each tries every read path - trace by id (native, Jaeger, api_v3,
// the trace parts, explain, compare), search, logs, services, operations,
// dependencies, RED metrics, top, diagnose, every MCP tool - as the other,
// and sees nothing of it: an id of the other tenant gets exactly the
// answer of an id nobody wrote, a service of the other tenant exactly the
// answer of a service nobody has. Also X-Scope-OrgID from a trusted and an
// untrusted address, the ingest rate limit, the query concurrency limit,
// and restarts (clean and kill -9) that keep both tenants' data apart.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "daemon/daemon_harness.h"
#include "daemon/grpc_call.h"
#include "daemon/otlp_fixtures.h"
#include "store/clickhouse/testing/test_server.h"

namespace callpath::testing {
namespace {


std::string Callpathd() { return std::string(CALLPATH_BIN_DIR) + "/callpathd"; }

// `callpathd key new`: the key printed on stdout.
std::string NewKey(const std::string& keys_file, const std::string& tenant, const std::string& scopes) {
  std::string command = Callpathd() + " key new --keys-file " + keys_file + " --tenant " + tenant + " --scopes " +
                        scopes + " 2>/dev/null";
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return {};
  std::string out;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(::pclose(p), 0);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

grpc::Status GrpcExport(uint16_t port, const std::string& bytes,
                        const std::vector<std::pair<std::string, std::string>>& metadata) {
  return GrpcUnaryCall(port, kOtlpTraceExport, bytes, metadata);
}

// Every occurrence of `from` in `text` replaced by `to`.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A trace across two services of one tenant (web calls db, db fails) and
// its log records: what a tenant writes and the other must not find.
struct TenantData {
  std::string tenant;
  std::string trace_id;  // bytes
  std::string span_id;   // the db span's, bytes
  std::string web, db;   // service names
  std::string log_text;

  std::string hex() const { return Hex(trace_id); }

  otlpv1::collector::trace::v1::ExportTraceServiceRequest Spans(uint64_t start, std::mt19937_64& rng) const {
    otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
    std::string root = RandomBytes(rng, 8);
    for (int side = 0; side < 2; ++side) {
      auto* rs = req.add_resource_spans();
      auto* attr = rs->mutable_resource()->add_attributes();
      attr->set_key("service.name");
      attr->mutable_value()->set_string_value(side == 0 ? web : db);
      auto* sp = rs->add_scope_spans()->add_spans();
      sp->set_trace_id(trace_id);
      sp->set_span_id(side == 0 ? root : span_id);
      if (side == 1) sp->set_parent_span_id(root);
      sp->set_name(side == 0 ? "GET /" + tenant : "SELECT " + tenant);
      sp->set_kind(side == 0 ? otlpv1::trace::v1::Span::SPAN_KIND_SERVER : otlpv1::trace::v1::Span::SPAN_KIND_CLIENT);
      sp->set_start_time_unix_nano(start + static_cast<uint64_t>(side) * 1'000'000);
      sp->set_end_time_unix_nano(start + 9'000'000);
      if (side == 1) {
        sp->mutable_status()->set_code(otlpv1::trace::v1::Status::STATUS_CODE_ERROR);
        sp->mutable_status()->set_message(tenant + " database down");
      }
    }
    return req;
  }

  otlpv1::collector::logs::v1::ExportLogsServiceRequest Logs(uint64_t time) const {
    auto req = MakeLogsRequest(trace_id, 2, web, time);
    for (auto& lr : *req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records()) {
      lr.mutable_body()->set_string_value(log_text);
      lr.set_span_id(span_id);
    }
    return req;
  }
};

class TenantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_file_ = dir_.path() + "/keys";
    std::mt19937_64 rng(1606);
    for (const std::string& name : {std::string("alpha"), std::string("beta")}) {
      TenantData t;
      t.tenant = name;
      t.trace_id = RandomBytes(rng, 16);
      t.span_id = RandomBytes(rng, 8);
      t.web = name + "-web";
      t.db = name + "-db";
      t.log_text = name + " private log line";
      data_.push_back(t);
      keys_.push_back(NewKey(keys_file_, name, "ingest,query"));
      ASSERT_FALSE(keys_.back().empty());
    }
    admin_ = NewKey(keys_file_, "ops", "admin");
    full_ = NewKey(keys_file_, "full", "ingest,query");
    unknown_hex_ = Hex(RandomBytes(rng, 16));
    StartFirst();
  }

  // The first start; variants start with more flags.
  virtual void StartFirst() { ASSERT_TRUE(Start()) << daemon_.error(); }

  // Starts callpathd with the keys, `extra_` and `extra`.
  bool Start(std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), {"--keys-file", keys_file_});
    extra.insert(extra.end(), extra_.begin(), extra_.end());
    return daemon_.Start(dir_.path() + "/data", extra);
  }

  HttpCallOptions As(int tenant, const std::string& content_type = "application/json") const {
    HttpCallOptions o;
    o.content_type = content_type;
    o.headers.emplace_back("Authorization", "Bearer " + keys_[tenant]);
    return o;
  }

  HttpResult Get(int tenant, const std::string& target) {
    return HttpCall(daemon_.query_port(), "GET", target, "", As(tenant));
  }

  // Alpha over OTLP/HTTP, beta over OTLP/gRPC (spans) and HTTP (logs).
  void WriteBoth() {
    std::mt19937_64 rng(7);
    const uint64_t start = NowNs() - 5'000'000'000ull;
    HttpResult a = HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces",
                            data_[0].Spans(start, rng).SerializeAsString(), As(0, "application/x-protobuf"));
    ASSERT_EQ(a.status, 200) << a.body;
    grpc::Status b = GrpcExport(daemon_.otlp_grpc_port(), data_[1].Spans(start, rng).SerializeAsString(),
                                {{"authorization", "Bearer " + keys_[1]}});
    ASSERT_TRUE(b.ok()) << b.error_message();
    for (int t = 0; t < 2; ++t) {
      HttpResult l = HttpCall(daemon_.otlp_http_port(), "POST", "/v1/logs", data_[t].Logs(start).SerializeAsString(),
                              As(t, "application/x-protobuf"));
      ASSERT_EQ(l.status, 200) << l.body;
    }
  }

  // Tenant `reader` sees its own trace and nothing of `other`'s.
  void ExpectOwnTraceOnly(int reader) {
    const TenantData& own = data_[reader];
    const TenantData& other = data_[1 - reader];
    HttpResult mine = Get(reader, "/api/v1/traces/" + own.hex());
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_NE(mine.body.find(own.db), std::string::npos);
    EXPECT_NE(mine.body.find(own.log_text), std::string::npos);
    HttpResult theirs = Get(reader, "/api/v1/traces/" + other.hex());
    EXPECT_EQ(theirs.status, 404);
    EXPECT_EQ(theirs.body, Get(reader, "/api/v1/traces/" + unknown_hex_).body);
  }

  // The answer to `target` naming `other_name` is the answer to the same
  // target naming `nobody` (a name or id nobody wrote), names swapped:
  // nothing to see and nothing to tell the two apart by.
  // `want_status`: what both answers must be (0: any, as long as equal).
  void ExpectSameAsNobody(int reader, const std::string& target, const std::string& other_name,
                          const std::string& nobody, int want_status = 0) {
    HttpResult theirs = Get(reader, target);
    HttpResult none = Get(reader, Replace(target, other_name, nobody));
    EXPECT_EQ(theirs.status, none.status) << target;
    if (want_status != 0) EXPECT_EQ(none.status, want_status) << target << ": " << none.body;
    EXPECT_EQ(Replace(theirs.body, other_name, nobody), none.body) << target;
  }

  // `body` holds nothing that belongs to tenant `other`.
  void ExpectNothingOf(const TenantData& other, const std::string& body, const std::string& what) {
    for (const std::string& secret : {other.hex(), other.web, other.db, other.log_text, other.tenant + " database"}) {
      EXPECT_EQ(body.find(secret), std::string::npos) << what << " shows '" << secret << "': " << body;
    }
  }

  TempDir dir_;
  std::string keys_file_;
  std::vector<TenantData> data_;
  std::vector<std::string> keys_;
  std::string admin_;
  std::string full_;  // tenant "full": a stored-bytes limit in TenantLimitsTest
  std::string unknown_hex_;
  std::vector<std::string> extra_;  // flags of every start
  DaemonProcess daemon_;
};

TEST_F(TenantsTest, TraceIdsOfAnotherTenantAreNotFoundOnEveryTraceEndpoint) {
  WriteBoth();
  for (int reader = 0; reader < 2; ++reader) {
    ExpectOwnTraceOnly(reader);
    const std::string own = data_[reader].hex();
    const std::string other = data_[1 - reader].hex();
    const std::string span = Hex(data_[1 - reader].span_id);
    for (const std::string& target : std::vector<std::string>{
             "/api/v1/traces/" + other, "/api/v1/traces/" + other + "/explain", "/api/v1/traces/" + other + "/skeleton",
          "/api/v1/traces/" + other + "/spans?ids=" + span, "/api/v1/traces/" + other + "/logs",
          "/api/v1/traces/" + other + "/find?q=database", "/api/traces/" + other, "/api/traces?traceID=" + other,
          "/api/v3/traces/" + other, "/api/v1/compare?a=" + own + "&b=" + other,
          "/api/v1/logs?trace_id=" + other + "&start=1h"}) {
      ExpectSameAsNobody(reader, target, other, unknown_hex_);
    }
    // Positive control: the same endpoints find the reader's own trace.
    EXPECT_EQ(Get(reader, "/api/v1/traces/" + own + "/skeleton").status, 200);
    EXPECT_EQ(Get(reader, "/api/v3/traces/" + own).status, 200);
    EXPECT_EQ(Get(reader, "/api/v1/traces/" + own + "/explain").status, 200);
  }
}

TEST_F(TenantsTest, SearchesListsGraphsAndMetricsShowOnlyTheReadersData) {
  WriteBoth();
  const uint64_t now = NowNs();
  const std::string window = "&start=" + std::to_string(now - 3'600'000'000'000ull) + "&end=" + std::to_string(now);
  const std::string jaeger_window = "&endTs=" + std::to_string(now / 1'000'000) + "&lookback=3600000";
  for (int reader = 0; reader < 2; ++reader) {
    const TenantData& own = data_[reader];
    const TenantData& other = data_[1 - reader];
    // Lists and graphs: the reader's services are there, the other's not.
    for (const std::string& target : std::vector<std::string>{
             "/api/v1/services", "/api/services", "/api/v3/services", "/api/v1/dependencies?lookback=1h", "/api/dependencies?" + jaeger_window.substr(1),
          "/api/v1/search?start=1h", "/api/traces?lookback=1h", "/api/v1/logs?start=1h",
          "/api/v1/top?since=1h", "/api/v1/diagnose?start=10m",
          "/api/v3/traces?query.serviceName=" + own.web}) {
      HttpResult r = Get(reader, target);
      EXPECT_EQ(r.status, 200) << target << ": " << r.body;
      ExpectNothingOf(other, r.body, target);
    }
    HttpResult services = Get(reader, "/api/v1/services");
    EXPECT_NE(services.body.find(own.web), std::string::npos) << services.body;
    HttpResult deps = Get(reader, "/api/v1/dependencies?lookback=1h");
    EXPECT_NE(deps.body.find(own.db), std::string::npos) << deps.body;
    HttpResult logs = Get(reader, "/api/v1/logs?start=1h");
    EXPECT_NE(logs.body.find(own.log_text), std::string::npos) << logs.body;
    // Asking for the other's service by name: the answer of a service
    // nobody has.
    for (const std::string& target : std::vector<std::string>{
             "/api/v1/search?service=" + other.web + window, "/api/traces?service=" + other.web + "&lookback=1h",
          "/api/v3/traces?query.serviceName=" + other.web, "/api/v3/trace-summaries?query.serviceName=" + other.web,
          "/api/v1/operations?service=" + other.web, "/api/services/" + other.web + "/operations",
          "/api/operations?service=" + other.web, "/api/v3/operations?service=" + other.web,
          "/api/v1/logs?service=" + other.web + window, "/api/v1/metrics?service=" + other.web + window + "&step=1m",
          "/api/metrics/calls?service=" + other.web + jaeger_window + "&step=60000&ratePer=600000",
          "/api/metrics/errors?service=" + other.web + jaeger_window + "&step=60000&ratePer=600000",
          "/api/metrics/latencies?service=" + other.web + jaeger_window + "&step=60000&quantile=0.95"}) {
      // api_v3 answers an empty search with Jaeger's 404 "No traces found".
      ExpectSameAsNobody(reader, target, other.web, "nobody-web", target.starts_with("/api/v3/traces?") ? 404 : 200);
    }
    // Positive control: the reader's own service is found by name.
    HttpResult ops = Get(reader, "/api/v1/operations?service=" + own.web);
    EXPECT_NE(ops.body.find("GET /" + own.tenant), std::string::npos) << ops.body;
  }
}

TEST_F(TenantsTest, EveryMcpToolSeesOnlyTheCallersTenant) {
  WriteBoth();
  for (int reader = 0; reader < 2; ++reader) {
    const TenantData& own = data_[reader];
    const TenantData& other = data_[1 - reader];
    HttpCallOptions o = As(reader);
    HttpResult init = HttpCall(daemon_.query_port(), "POST", "/api/mcp",
                               R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
                               R"("capabilities":{},"clientInfo":{"name":"tenants_test","version":"1"}}})",
                               o);
    ASSERT_EQ(init.status, 200) << init.body;
    const std::string session = init.headers["mcp-session-id"];
    o.headers.emplace_back("Mcp-Session-Id", session);
    auto call = [&](const std::string& tool, const std::string& args) {
      HttpResult r = HttpCall(daemon_.query_port(), "POST", "/api/mcp",
                              R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":")" + tool +
                                  R"(","arguments":)" + args + "}}",
                              o);
      EXPECT_EQ(r.status, 200) << tool << ": " << r.body;
      return r.body;
    };
    // By the other's trace id: the answer for an id nobody wrote.
    const std::string span = Hex(other.span_id);
    for (const auto& [tool, args] : std::vector<std::pair<std::string, std::string>>{
             {"get_trace", R"({"trace_id":")" + other.hex() + R"("})"},
             {"get_critical_path", R"({"trace_id":")" + other.hex() + R"("})"},
             {"get_trace_logs", R"({"trace_id":")" + other.hex() + R"("})"},
             {"search_logs", R"({"trace_id":")" + other.hex() + R"("})"},
             {"get_span_details", R"({"trace_id":")" + other.hex() + R"(","span_ids":[")" + span + R"("]})"},
             {"explain_trace", R"({"trace_id":")" + other.hex() + R"("})"},
             {"compare_traces", R"({"a":")" + own.hex() + R"(","b":")" + other.hex() + R"("})"},
             {"list_operations", R"({"service":")" + other.web + R"("})"},
             {"search_traces", R"({"service":")" + other.web + R"(","lookback":"1h"})"},
         }) {
      std::string theirs = call(tool, args);
      std::string none = call(tool, Replace(Replace(args, other.hex(), unknown_hex_), other.web, "nobody-web"));
      EXPECT_EQ(Replace(Replace(theirs, other.hex(), unknown_hex_), other.web, "nobody-web"), none) << tool;
      ExpectNothingOf(other, Replace(Replace(theirs, other.hex(), ""), other.web, ""), tool);
    }
    // Lists, searches, graphs and metrics: nothing of the other tenant.
    for (const auto& [tool, args] : std::vector<std::pair<std::string, std::string>>{
             {"list_services", "{}"},
             {"search_traces", R"({"lookback":"1h"})"},
             {"search_logs", R"({"lookback":"1h"})"},
             {"search_logs", R"({"text":"private log line","lookback":"1h"})"},
             {"get_service_dependencies", R"({"lookback":"1h"})"},
             {"diagnose", R"({"lookback":"10m"})"},
             {"get_service_metrics", R"({"lookback":"1h"})"},
         }) {
      std::string body = call(tool, args);
      EXPECT_NE(body.find(R"("isError":false)"), std::string::npos) << tool << " " << args << ": " << body;
      ExpectNothingOf(other, body, tool + " " + args);
    }
    // Positive controls.
    EXPECT_NE(call("list_services", "{}").find(own.web), std::string::npos);
    EXPECT_NE(call("get_trace", R"({"trace_id":")" + own.hex() + R"("})").find(own.db), std::string::npos);
    EXPECT_NE(call("search_logs", R"({"lookback":"1h"})").find(own.log_text), std::string::npos);
    // A session belongs to its tenant: unknown to the other one.
    HttpCallOptions stolen = As(1 - reader);
    stolen.headers.emplace_back("Mcp-Session-Id", session);
    HttpResult r = HttpCall(daemon_.query_port(), "POST", "/api/mcp",
                            R"({"jsonrpc":"2.0","id":2,"method":"ping"})", stolen);
    EXPECT_EQ(r.status, 404) << r.body;
  }
}

TEST_F(TenantsTest, MetricsNeedAnAdminKeyAndCountBytesPerTenant) {
  WriteBoth();
  EXPECT_EQ(Get(0, "/metrics").status, 403);  // a tenant's key: the figures cover everyone
  HttpCallOptions admin;
  admin.headers.emplace_back("Authorization", "Bearer " + admin_);
  HttpResult m = HttpCall(daemon_.query_port(), "GET", "/metrics", "", admin);
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("callpathd_tenant_stored_bytes{tenant=\"alpha\"}"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("callpathd_tenant_stored_bytes{tenant=\"beta\"}"), std::string::npos) << m.body;
  // Each tenant has a store of its own under data/tenants/.
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/data/tenants/alpha/ingest-wal"));
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/data/tenants/beta/ingest-wal"));
}

TEST_F(TenantsTest, BothTenantsSurviveARestartAndACrashStillApart) {
  WriteBoth();
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(Start()) << daemon_.error();
  for (int reader = 0; reader < 2; ++reader) ExpectOwnTraceOnly(reader);
  // New data of both, then kill -9: what was acknowledged is replayed from
  // each tenant's own WAL into its own store.
  std::mt19937_64 rng(99);
  for (auto& t : data_) {
    t.trace_id = RandomBytes(rng, 16);
    t.span_id = RandomBytes(rng, 8);
  }
  WriteBoth();
  daemon_.Kill();
  ASSERT_TRUE(Start()) << daemon_.error();
  for (int reader = 0; reader < 2; ++reader) ExpectOwnTraceOnly(reader);
}

TEST_F(TenantsTest, ScopeOrgIdIsRefusedFromAnUntrustedAddress) {
  WriteBoth();
  // 127.0.0.1 is not a trusted proxy here: naming another tenant is refused
  // on every port, naming one's own is harmless.
  HttpCallOptions o = As(0);
  o.headers.emplace_back("X-Scope-OrgID", "beta");
  HttpResult r = HttpCall(daemon_.query_port(), "GET", "/api/v1/traces/" + data_[1].hex(), "", o);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("X-Scope-OrgID"), std::string::npos) << r.body;
  o.content_type = "application/x-protobuf";
  std::mt19937_64 rng(5);
  std::string spans = data_[0].Spans(NowNs(), rng).SerializeAsString();
  EXPECT_EQ(HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces", spans, o).status, 403);
  EXPECT_EQ(GrpcExport(daemon_.otlp_grpc_port(), spans,
                       {{"authorization", "Bearer " + keys_[0]}, {"x-scope-orgid", "beta"}})
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  HttpCallOptions own = As(0);
  own.headers.emplace_back("X-Scope-OrgID", "alpha");
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/api/v1/traces/" + data_[0].hex(), "", own).status, 200);
}

TEST_F(TenantsTest, ScopeOrgIdFromATrustedProxyNamesTheTenant) {
  WriteBoth();
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(Start({"--trusted-proxy", "127.0.0.0/8"})) << daemon_.error();
  // The proxy authenticates with its own key and names the tenant.
  HttpCallOptions o = As(0);
  o.headers.emplace_back("X-Scope-OrgID", "beta");
  HttpResult r = HttpCall(daemon_.query_port(), "GET", "/api/v1/traces/" + data_[1].hex(), "", o);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/api/v1/traces/" + data_[0].hex(), "", o).status, 404);
  // A tenant nobody has a key for is a tenant too (the proxy vouches).
  std::mt19937_64 rng(6);
  TenantData gamma = data_[0];
  gamma.tenant = "gamma";
  gamma.trace_id = RandomBytes(rng, 16);
  std::string spans = gamma.Spans(NowNs(), rng).SerializeAsString();
  grpc::Status g = GrpcExport(daemon_.otlp_grpc_port(), spans,
                              {{"authorization", "Bearer " + keys_[0]}, {"x-scope-orgid", "gamma"}});
  ASSERT_TRUE(g.ok()) << g.error_message();
  HttpCallOptions as_gamma = As(1);
  as_gamma.headers.emplace_back("X-Scope-OrgID", "gamma");
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/api/v1/traces/" + gamma.hex(), "", as_gamma).status, 200);
  EXPECT_EQ(Get(0, "/api/v1/traces/" + gamma.hex()).status, 404);
  // Names that are not tenant names are refused, not mapped anywhere.
  HttpCallOptions bad = As(0);
  bad.headers.emplace_back("X-Scope-OrgID", "..");
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/api/v1/services", "", bad).status, 403);
}

// With ClickHouse every tenant has a database of its own.
class ClickHouseTenantsTest : public TenantsTest {
 protected:
  void SetUp() override {
    if (store::testing::TestClickHouse::FindBinary().empty()) {
      GTEST_SKIP() << store::testing::TestClickHouse::kNotInstalled;
    }
    TenantsTest::SetUp();
  }
  void StartFirst() override {
    auto server = store::testing::TestClickHouse::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    extra_ = {"--store", "clickhouse", "--clickhouse-url", server_->url(), "--clickhouse-database", "tenants",
              "--retention-hours", "0"};
    ASSERT_TRUE(Start()) << daemon_.error();
  }
  std::unique_ptr<store::testing::TestClickHouse> server_;
};

TEST_F(ClickHouseTenantsTest, EachTenantReadsItsOwnDatabaseOnly) {
  WriteBoth();
  for (int reader = 0; reader < 2; ++reader) {
    ExpectOwnTraceOnly(reader);
    HttpResult services = Get(reader, "/api/v1/services");
    ExpectNothingOf(data_[1 - reader], services.body, "services");
  }
}

// Limits come from the YAML config: written next to the keys.
class TenantLimitsTest : public TenantsTest {
 protected:
  void StartFirst() override {
    std::string config = dir_.path() + "/callpathd.yaml";
    FILE* f = std::fopen(config.c_str(), "w");
    ASSERT_NE(f, nullptr);
    // alpha: at most 4 queries in progress (the default) and 1 item a
    // second with a burst of 4; beta: no concurrency limit, no rate limit;
    // full: 1 byte of storage (an empty store is bigger).
    std::fputs("tenant_defaults: {max_concurrent_queries: 4}\n"
               "tenants:\n"
               "  alpha: {ingest_rate: 1, ingest_burst: 4}\n"
               "  beta: {max_concurrent_queries: 0}\n"
               "  full: {max_stored_bytes: 1}\n",
               f);
    std::fclose(f);
    extra_ = {"--config", config};
    ASSERT_TRUE(Start()) << daemon_.error();
  }
};

TEST_F(TenantLimitsTest, IngestOverTheTenantsRateGets429WithRetryAfter) {
  std::mt19937_64 rng(8);
  // A request of 100 spans against a bucket of 4 filling at 1 a second: it
  // is let in (a batch bigger than the burst waits for a full bucket, not
  // forever), and leaves alpha owing about 96 seconds.
  auto big = MakeTraceRequest(RandomBytes(rng, 16), 100, "alpha-web", NowNs(), rng).SerializeAsString();
  HttpResult first = HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces", big, As(0, "application/x-protobuf"));
  EXPECT_EQ(first.status, 200) << first.body;
  HttpResult over = HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces",
                             data_[0].Spans(NowNs(), rng).SerializeAsString(), As(0, "application/x-protobuf"));
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_NE(over.body.find("rate limit"), std::string::npos) << over.body;
  ASSERT_FALSE(over.headers["retry-after"].empty());
  EXPECT_GE(std::stoi(over.headers["retry-after"]), 60);
  EXPECT_EQ(GrpcExport(daemon_.otlp_grpc_port(), data_[0].Spans(NowNs(), rng).SerializeAsString(),
                       {{"authorization", "Bearer " + keys_[0]}})
                .error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Beta has no rate limit: alpha's bucket is alpha's alone.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces", big, As(1, "application/x-protobuf")).status,
              200);
  }
}

TEST_F(TenantLimitsTest, ATenantOverItsStoredBytesGets507WithTheReason) {
  std::mt19937_64 rng(10);
  std::string spans = data_[0].Spans(NowNs(), rng).SerializeAsString();
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  o.headers.emplace_back("Authorization", "Bearer " + full_);
  HttpResult r = HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces", spans, o);
  EXPECT_EQ(r.status, 507) << r.body;
  EXPECT_NE(r.body.find("max_stored_bytes"), std::string::npos) << r.body;
  EXPECT_EQ(GrpcExport(daemon_.otlp_grpc_port(), spans, {{"authorization", "Bearer " + full_}}).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Its queries still answer; other tenants write on.
  HttpCallOptions q;
  q.headers.emplace_back("Authorization", "Bearer " + full_);
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/api/v1/services", "", q).status, 200);
  EXPECT_EQ(HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces", spans, As(1, "application/x-protobuf")).status,
            200);
}

TEST_F(TenantLimitsTest, QueriesBeyondTheTenantsConcurrencyGet429) {
  // Enough traces that a search of 10000 keeps a worker busy a while
  // (alpha's one write is let in on its full bucket).
  std::mt19937_64 rng(9);
  for (int tenant = 0; tenant < 2; ++tenant) {
    otlpv1::collector::trace::v1::ExportTraceServiceRequest many;
    for (int i = 0; i < 2000; ++i) {
      auto one = MakeTraceRequest(RandomBytes(rng, 16), 2, data_[tenant].web, NowNs() - 60'000'000'000ull, rng);
      many.add_resource_spans()->CopyFrom(one.resource_spans(0));
    }
    HttpResult r = HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces", many.SerializeAsString(),
                            As(tenant, "application/x-protobuf"));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Twelve queries at once, each on a connection of its own; the API has
  // two workers, so most wait in the queue - and count - while the first
  // ones run. Alpha may have four in progress; beta has no limit.
  auto burst = [&](int tenant) {
    std::vector<std::thread> threads;
    std::vector<int> statuses(12);
    for (size_t i = 0; i < statuses.size(); ++i) {
      threads.emplace_back([&, i] { statuses[i] = Get(tenant, "/api/v1/search?start=1h&limit=10000").status; });
    }
    for (auto& t : threads) t.join();
    return statuses;
  };
  bool refused = false;
  for (int attempt = 0; attempt < 20 && !refused; ++attempt) {
    for (int s : burst(0)) {
      EXPECT_TRUE(s == 200 || s == 429) << s;
      refused = refused || s == 429;
    }
  }
  EXPECT_TRUE(refused) << "twelve concurrent queries never exceeded a limit of four";
  for (int s : burst(1)) EXPECT_EQ(s, 200);
}

}  // namespace
}  // namespace callpath::testing
