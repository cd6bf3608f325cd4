#include "daemon/receive/transfer_coding.h"

#include <gtest/gtest.h>

namespace callpath::daemon {
namespace {

TEST(TransferCodingTest, OnlyASingleChunkedIsAccepted) {
  EXPECT_EQ(CheckTransferEncoding("").status, 0);
  EXPECT_EQ(CheckTransferEncoding("chunked").status, 0);
  EXPECT_EQ(CheckTransferEncoding(" Chunked ").status, 0);
  EXPECT_EQ(CheckTransferEncoding("xchunked").status, 501);
  EXPECT_EQ(CheckTransferEncoding("chunked, identity").status, 501);
  EXPECT_EQ(CheckTransferEncoding("gzip, chunked").status, 501);
  EXPECT_EQ(CheckTransferEncoding("chunked,chunked").status, 400);
  EXPECT_EQ(CheckTransferEncoding(" , ").status, 400);
  EXPECT_NE(CheckTransferEncoding("xchunked").message.find("'xchunked' is not supported"), std::string::npos);
}

}  // namespace
}  // namespace callpath::daemon
