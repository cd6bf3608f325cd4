// callpathd's connection to ClickHouse over TLS: a real clickhouse-server
// answering HTTPS with a certificate from a CA made by the test server, and
// the option checks that run before any connection.
#include <gtest/gtest.h>

#include "store/clickhouse/clickhouse_store.h"
#include "store/clickhouse/http.h"
#include "store/clickhouse/testing/test_server.h"
#include "store/testing/conformance.h"

namespace callpath::store {
namespace {

using testing::TestClickHouse;

TEST(ClickHouseTls, StoreOpensAndWritesOverHttpsVerifyingTheServer) {
  if (TestClickHouse::FindBinary().empty()) GTEST_SKIP() << TestClickHouse::kNotInstalled;
  auto server = TestClickHouse::StartWithTls();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ClickHouseOptions o;
  o.url = (*server)->https_url();
  o.database = "over_tls";
  o.writer_id = "w";
  o.tls_ca_file = (*server)->ca_file();
  auto store = OpenClickHouseStore(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StoredSpan span;
  span.trace_id = testing::Tid(7);
  span.span_id = testing::Sid(7, 1);
  span.service = "api";
  span.operation = "Get";
  span.start_ns = testing::kBase;
  ASSERT_TRUE(testing::WriteAt((*store)->writer(), 1, {span}, {}).ok());

  ch::Http verified((*server)->https_url(), 10, "", ch::TlsFiles{.ca_file = (*server)->ca_file()});
  Result<std::string> one = verified.Query("SELECT 1");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(*one, "1\n");

  // The system trust store does not know the test CA: the handshake fails,
  // nothing is sent unverified.
  ch::Http unverified((*server)->https_url(), 10);
  Result<std::string> refused = unverified.Query("SELECT 1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("certificate"), std::string::npos)
      << refused.status().message();
  o.tls_ca_file.clear();
  o.database = "over_tls_unverified";
  EXPECT_FALSE(OpenClickHouseStore(o).ok());
}

TEST(ClickHouseTls, OptionMistakesAreRefusedBeforeConnecting) {
  ClickHouseOptions o;
  o.writer_id = "w";
  o.url = "http://127.0.0.1:1";
  o.tls_ca_file = "/etc/hostname";
  Result<std::unique_ptr<Store>> r = OpenClickHouseStore(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no clickhouse url is https://"), std::string::npos)
      << r.status().message();

  o.url = "https://127.0.0.1:1";
  o.tls_ca_file = "/nonexistent/ca.pem";
  r = OpenClickHouseStore(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot read clickhouse TLS file"), std::string::npos);

  o.tls_ca_file.clear();
  o.tls_cert_file = "/etc/hostname";
  r = OpenClickHouseStore(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs its key"), std::string::npos);

  o.tls_cert_file.clear();
  o.url = "ftp://127.0.0.1:1";
  r = OpenClickHouseStore(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("http:// or https://"), std::string::npos);
}

}  // namespace
}  // namespace callpath::store
