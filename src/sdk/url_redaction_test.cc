#include "sdk/url_redaction.h"

#include <gtest/gtest.h>

namespace callpath::internal {
namespace {

TEST(UrlRedaction, SensitiveParameterValuesAreReplaced) {
  EXPECT_EQ(RedactQuery("a=1&Signature=abc&sig=x&page=2"), "a=1&Signature=REDACTED&sig=REDACTED&page=2");
  EXPECT_EQ(RedactQuery("access_token=t0k3n"), "access_token=REDACTED");
  EXPECT_EQ(RedactTarget("/cb?code=1&password=hunter2#frag"), "/cb?code=1&password=REDACTED#frag");
}

TEST(UrlRedaction, OtherQueriesAreUnchanged) {
  for (std::string_view q : {"", "a=1&b=2", "signature", "sig=", "&&", "x=sig"}) EXPECT_EQ(RedactQuery(q), q);
  EXPECT_EQ(RedactTarget("/plain/path"), "/plain/path");
}

}  // namespace
}  // namespace callpath::internal
