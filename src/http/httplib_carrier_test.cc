#include "http/httplib_carrier.h"

#include <gtest/gtest.h>

namespace callpath::http::detail {
namespace {

TEST(HttplibHeadersCarrier, LooksUpFieldsIgnoringCase) {
  httplib::Headers headers{{"Host", "shop"}, {"TraceParent", "00-abc"}, {"User-Agent", "curl"}};
  HttplibHeadersCarrier carrier(std::as_const(headers));
  EXPECT_EQ(carrier.Get("traceparent"), "00-abc");
  EXPECT_EQ(carrier.Get("TRACEPARENT"), "00-abc");
  EXPECT_EQ(carrier.Get("user-agent"), "curl");
  EXPECT_EQ(carrier.Get("tracestate"), "");
  EXPECT_EQ(carrier.Get("hos"), "");  // a prefix is not a match
  EXPECT_EQ(carrier.Count("traceparent"), 1u);
  EXPECT_EQ(carrier.Count("baggage"), 0u);
}

TEST(HttplibHeadersCarrier, RepeatedFieldsKeepTheirOrder) {
  httplib::Headers headers;
  headers.emplace("baggage", "a=1");
  headers.emplace("Accept", "*/*");
  headers.emplace("Baggage", "b=2");
  headers.emplace("BAGGAGE", "c=3");
  HttplibHeadersCarrier carrier(std::as_const(headers));
  EXPECT_EQ(carrier.Get("baggage"), "a=1");  // the first one sent, as find() gives it
  EXPECT_EQ(carrier.Get("baggage"), headers.find("baggage")->second);
  EXPECT_EQ(carrier.Count("baggage"), 3u);
  EXPECT_EQ(carrier.GetJoined("baggage"), "a=1,b=2,c=3");
  EXPECT_EQ(carrier.GetJoined("accept"), "*/*");
  EXPECT_EQ(carrier.GetJoined("forwarded"), "");
  EXPECT_EQ(carrier.Keys().size(), 4u);
}

// More fields than the read-only carrier indexes: it falls back to walking
// the map and must answer exactly as it does for a short request.
TEST(HttplibHeadersCarrier, ARequestWithManyFieldsAnswersTheSame) {
  httplib::Headers headers;
  for (int i = 0; i < 40; ++i) headers.emplace("X-Field-" + std::to_string(i), std::to_string(i));
  headers.emplace("Baggage", "a=1");
  headers.emplace("baggage", "b=2");
  headers.emplace("TraceParent", "00-abc");
  HttplibHeadersCarrier carrier(std::as_const(headers));
  EXPECT_EQ(carrier.Get("traceparent"), "00-abc");
  EXPECT_EQ(carrier.Get("x-field-39"), "39");
  EXPECT_EQ(carrier.Get("x-field-40"), "");
  EXPECT_EQ(carrier.Count("BAGGAGE"), 2u);
  EXPECT_EQ(carrier.GetJoined("baggage"), "a=1,b=2");
  EXPECT_EQ(carrier.Keys().size(), 43u);
}

TEST(HttplibHeadersCarrier, SetReplacesEveryFieldOfThatName) {
  httplib::Headers headers{{"TraceParent", "old-1"}, {"traceparent", "old-2"}, {"Host", "h"}};
  HttplibHeadersCarrier carrier(headers);
  carrier.Set("traceparent", "new");
  EXPECT_EQ(headers.count("traceparent"), 1u);
  EXPECT_EQ(carrier.Get("traceparent"), "new");
  EXPECT_EQ(carrier.Get("host"), "h");

  HttplibHeadersCarrier read_only(std::as_const(headers));
  read_only.Set("traceparent", "ignored");
  EXPECT_EQ(carrier.Get("traceparent"), "new");
}

}  // namespace
}  // namespace callpath::http::detail
