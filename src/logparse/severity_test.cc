#include "logparse/severity.h"

#include <gtest/gtest.h>

namespace callpath::logparse {
namespace {

TEST(SeverityFromText, MapsTheCommonLevelNamesAnyCase) {
  EXPECT_EQ(SeverityFromText("trace"), 1);
  EXPECT_EQ(SeverityFromText("DEBUG"), 5);
  EXPECT_EQ(SeverityFromText("Info"), 9);
  EXPECT_EQ(SeverityFromText("notice"), 10);
  EXPECT_EQ(SeverityFromText("warning"), 13);
  EXPECT_EQ(SeverityFromText("WARN"), 13);
  EXPECT_EQ(SeverityFromText("err"), 17);
  EXPECT_EQ(SeverityFromText("SEVERE"), 17);
  EXPECT_EQ(SeverityFromText("dpanic"), 18);
  EXPECT_EQ(SeverityFromText("CRITICAL"), 21);
  EXPECT_EQ(SeverityFromText("[error]"), 17);
}

TEST(SeverityFromText, AddsSlogOffsets) {
  EXPECT_EQ(SeverityFromText("WARN+2"), 15);
  EXPECT_EQ(SeverityFromText("INFO-4"), 5);
  EXPECT_EQ(SeverityFromText("DEBUG-8"), 1);
  EXPECT_EQ(SeverityFromText("ERROR+9"), 24);
  EXPECT_EQ(SeverityFromText("WARN+x"), 0);
  EXPECT_EQ(SeverityFromText("+2"), 0);
}

TEST(SeverityFromText, ReadsBunyanNumbersWrittenAsText) {
  EXPECT_EQ(SeverityFromText("30"), 9);
  EXPECT_EQ(SeverityFromText("60"), 21);
}

TEST(SeverityFromText, UnknownIsZero) {
  EXPECT_EQ(SeverityFromText(""), 0);
  EXPECT_EQ(SeverityFromText("loud"), 0);
  EXPECT_EQ(SeverityFromText("200"), 0);
  EXPECT_EQ(SeverityFromText("informationalxxxxxxxxx"), 0);
}

TEST(SeverityFromNumber, FollowsBunyanAndPinoLevels) {
  EXPECT_EQ(SeverityFromNumber(10), 1);
  EXPECT_EQ(SeverityFromNumber(20), 5);
  EXPECT_EQ(SeverityFromNumber(30), 9);
  EXPECT_EQ(SeverityFromNumber(35), 9);
  EXPECT_EQ(SeverityFromNumber(40), 13);
  EXPECT_EQ(SeverityFromNumber(50), 17);
  EXPECT_EQ(SeverityFromNumber(60), 21);
  EXPECT_EQ(SeverityFromNumber(5), 0);
  EXPECT_EQ(SeverityFromNumber(70), 0);
}

TEST(SeverityName, NamesTheRangeASeverityFallsIn) {
  EXPECT_EQ(SeverityName(1), "TRACE");
  EXPECT_EQ(SeverityName(9), "INFO");
  EXPECT_EQ(SeverityName(12), "INFO");
  EXPECT_EQ(SeverityName(18), "ERROR");
  EXPECT_EQ(SeverityName(24), "FATAL");
  EXPECT_EQ(SeverityName(0), "");
  EXPECT_EQ(SeverityName(25), "");
}

TEST(SeverityFromHttpStatus, ServerErrorsAreErrorsClientErrorsWarnings) {
  EXPECT_EQ(SeverityFromHttpStatus(200), 9);
  EXPECT_EQ(SeverityFromHttpStatus(404), 13);
  EXPECT_EQ(SeverityFromHttpStatus(503), 17);
  EXPECT_EQ(SeverityFromHttpStatus(99), 0);
}

}  // namespace
}  // namespace callpath::logparse
