#include "callpath/status.h"

#include <gtest/gtest.h>

#include <string>

namespace callpath {
namespace {

TEST(ResultTest, HoldsAValue) {
  Result<std::string> r(std::string("span"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), "span");
  EXPECT_EQ(r->size(), 4u);
  EXPECT_EQ(std::move(r).value(), "span");
}

TEST(ResultTest, HoldsTheErrorThatExplainsTheMissingValue) {
  Result<int> r(NotFound("no such trace"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().ToString(), "NOT_FOUND: no such trace");
}

TEST(ResultTest, BuiltFromAnOkStatusIsAnInternalError) {
  Result<int> r(Status::Ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultDeathTest, ValueOfAnErrorAbortsWithTheStatusInsteadOfThrowing) {
  Result<int> r(InvalidArgument("bad flag"));
  EXPECT_DEATH((void)r.value(), "Result::value\\(\\) on an error: INVALID_ARGUMENT: bad flag");
  EXPECT_DEATH((void)*r, "INVALID_ARGUMENT: bad flag");
}

}  // namespace
}  // namespace callpath
