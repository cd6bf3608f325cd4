// `callpath diagnose`, `callpath compare` and the search command's
// trace-level filters: what each asks the API, which mistakes are usage
// errors, and how the answers read.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/api_analyze.h"
#include "cli/app.h"
#include "cli/render_analyze.h"

namespace callpath::cli {
namespace {

struct CliRun {
  int code = -1;
  std::string out, err;
  std::vector<std::string> urls;
};

CliRun RunWith(int status, std::string body, std::vector<std::string> argv) {
  CliRun r;
  argv.insert(argv.begin(), "callpath");
  std::vector<const char*> ptrs;
  for (const auto& a : argv) ptrs.push_back(a.c_str());
  Environment env;
  env.getenv = [](const char*) -> const char* { return nullptr; };
  env.http_get = [&](const std::string& url, long) {
    r.urls.push_back(url);
    HttpReply reply;
    reply.answered = true;
    reply.status = status;
    reply.body = body;
    return reply;
  };
  std::ostringstream out, err;
  r.code = RunCli(static_cast<int>(ptrs.size()), ptrs.data(), env, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::string Target(std::vector<std::string> argv) {
  CliRun r = RunWith(200, "{}", std::move(argv));
  return r.urls.empty() ? "(no request: " + r.err + ")" : r.urls[0].substr(std::string(kDefaultServer).size());
}

constexpr char kDiagnosis[] = R"({"window":{"start_ns":1700000300000000000,"end_ns":1700000600000000000},
 "baseline":{"start_ns":1700000000000000000,"end_ns":1700000300000000000},
 "summary":"Most likely cause: payment (latency): p50 self time of Charge (payment) rose from 5 ms to 120 ms.",
 "causes":[{"rank":1,"service":"payment","operation":"Charge","span_id":null,"kind":"latency","score":0.93,
   "summary":"p50 self time of Charge (payment) rose from 5 ms to 120 ms",
   "evidence":[{"type":"baseline","text":"p50 self time of Charge (payment) rose from 5 ms to 120 ms"},
               {"type":"baseline","text":"p50 duration of POST payment (checkout) rose from 6 ms to 121 ms"}],
   "example_traces":["000000000000000000000000000000ee"]}],
 "symptoms":[{"type":"baseline","text":"traces starting at GET /checkout (frontend) got longer: p50 12 ms -> 128 ms"}],
 "window_spans":1000,"window_logs":200})";

constexpr char kComparison[] = R"({"a":{"trace_id":"aa","duration_ns":12000000,"span_count":5},
 "b":{"trace_id":"bb","duration_ns":128000000,"span_count":6},"matched":5,
 "summary":"b took 128 ms where a took 12 ms; 5 spans matched, 1 only in b.",
 "spans":[{"change":"only_in_b","path":"frontend:GET / > payment:Retry","service":"payment","operation":"Retry",
           "a":null,"b":{"span_id":"01","duration_ns":3000000,"self_ns":3000000,"status":"unset"},"status_changed":false},
          {"change":"slower","path":"frontend:GET / > payment:Charge","service":"payment","operation":"Charge",
           "a":{"span_id":"02","duration_ns":5000000,"self_ns":5000000,"status":"unset"},
           "b":{"span_id":"03","duration_ns":120000000,"self_ns":120000000,"status":"error"},"status_changed":true}],
 "log_templates":[{"only_in":"b","service":"payment","template":"card processor timeout after <*>",
                   "template_id":"17","severity_number":17,"count":2}]})";

TEST(DiagnoseCommand, AsksForTheWindowSinceNowByDefault) {
  EXPECT_EQ(Target({"diagnose"}), "/api/v1/diagnose?start=15m");
  EXPECT_EQ(Target({"diagnose", "--since", "5m", "--service", "checkout"}),
            "/api/v1/diagnose?start=5m&service=checkout");
  EXPECT_EQ(Target({"diagnose", "--start", "2023-11-14T22:13:20Z", "--end", "1700000300000000000"}),
            "/api/v1/diagnose?start=1700000000000000000&end=1700000300000000000");
  EXPECT_EQ(Target({"diagnose", "--since", "5m", "--baseline-start", "1h", "--baseline-end", "30m"}),
            "/api/v1/diagnose?start=5m&baseline_start=1h&baseline_end=30m");
}

TEST(DiagnoseCommand, MistakesAreUsageErrors) {
  for (std::vector<std::string> bad : {std::vector<std::string>{"diagnose", "--since", "yesterday"},
                                       {"diagnose", "--since", "5m", "--start", "10m"},
                                       {"diagnose", "--baseline-start", "1h"},
                                       {"diagnose", "--start", "noon"}}) {
    CliRun r = RunWith(200, "{}", bad);
    EXPECT_EQ(r.code, kExitUsage) << bad.back();
    EXPECT_TRUE(r.urls.empty());
  }
}

TEST(DiagnoseCommand, PrintsTheSummaryCausesAndSymptoms) {
  CliRun r = RunWith(200, kDiagnosis, {"diagnose", "--since", "5m", "--utc"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("window   2023-11-14 22:18:20.000 .. 2023-11-14 22:23:20.000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Most likely cause: payment"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1. payment Charge  latency  score 0.93"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("   - p50 duration of POST payment (checkout)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("traces: 000000000000000000000000000000ee"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("got longer"), std::string::npos) << r.out;
}

TEST(DiagnoseCommand, JsonPrintsTheAnswer) {
  CliRun r = RunWith(200, kDiagnosis, {"diagnose", "--json"});
  ASSERT_EQ(r.code, kExitOk);
  EXPECT_NE(r.out.find("\"causes\""), std::string::npos);
}

TEST(DiagnoseCommand, ServerRejectionIsAUsageError) {
  CliRun r = RunWith(400, R"({"error":"the baseline overlaps the window","status":400})", {"diagnose"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("the baseline overlaps the window"), std::string::npos) << r.err;
}

TEST(CompareCommand, AsksForBothTraces) {
  EXPECT_EQ(Target({"compare", "AA", "00bb"}), "/api/v1/compare?a=aa&b=00bb");
  CliRun bad = RunWith(200, "{}", {"compare", "aa", "xyz"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_EQ(RunWith(200, "{}", {"compare", "aa"}).code, kExitUsage);
}

TEST(CompareCommand, PrintsTheDifferences) {
  CliRun r = RunWith(200, kComparison, {"compare", "aa", "bb"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("b took 128 ms where a took 12 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("only in b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unset -> error"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("frontend:GET / > payment:Charge"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("log only in b  payment  x2  card processor timeout after <*>"), std::string::npos) << r.out;
}

TEST(CompareCommand, UnknownTraceIsNotFound) {
  CliRun r = RunWith(404, R"({"error":"trace b (00bb) not found","status":404})", {"compare", "aa", "bb"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_NE(r.err.find("trace b (00bb) not found"), std::string::npos) << r.err;
}

TEST(SearchCommand, TraceLevelFiltersAreNamedApartFromSpanLevelOnes) {
  EXPECT_EQ(
      Target({"search", "--min-trace-duration", "1s", "--max-trace-duration", "5s", "--through", "cart,payment",
              "--min-duration", "100ms"}),
      "/api/v1/search?min_duration=100ms&min_trace_duration=1s&max_trace_duration=5s&services_all=cart%2Cpayment");
  EXPECT_EQ(RunWith(200, "{}", {"search", "--min-trace-duration", "soon"}).code, kExitUsage);
}

TEST(ParseDiagnosis, RefusesWhatIsNotADiagnosis) {
  for (const char* bad : {"", "[]", "{\"summary\":\"x\"}", "{\"causes\":", "nul"}) {
    EXPECT_FALSE(ParseDiagnosis(bad).ok()) << bad;
  }
  auto d = ParseDiagnosis(kDiagnosis);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->causes.size(), 1u);
  EXPECT_EQ(d->causes[0].operation, "Charge");
  EXPECT_EQ(d->causes[0].span_id, "") << "null reads as empty";
  EXPECT_DOUBLE_EQ(d->causes[0].score, 0.93);
}

TEST(ParseComparison, RefusesWhatIsNotAComparison) {
  for (const char* bad : {"", "{}", "{\"spans\":{}}", "[1]"}) EXPECT_FALSE(ParseComparison(bad).ok()) << bad;
  auto c = ParseComparison(kComparison);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->spans.size(), 2u);
  EXPECT_FALSE(c->spans[0].in_a);
  EXPECT_TRUE(c->spans[1].in_a && c->spans[1].in_b);
}

TEST(RenderRankedCausesText, SanitizesWhatTheServerSent) {
  RankedCauseView c;
  c.rank = 1;
  c.service = "evil\x1b[31m";
  c.kind = "log";
  c.summary = "line\nbreak";
  std::string out = RenderRankedCausesText({c}, RenderOptions{});
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("line\\nbreak"), std::string::npos) << out;
}

}  // namespace
}  // namespace callpath::cli
