// The OTLP bodies captured from the OpenTelemetry JS SDK, kept in the
// repository under testdata/otlp/ (see testdata/otlp/README.md).
//
// ReadOtlpSample fails the calling test when a file is missing: a lost
// fixture must make a test fail, never turn it into one that checks
// nothing. (A file may be empty on purpose: a full-success response is an
// empty message.)
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace callpath::testing {

inline std::string OtlpSamplePath(std::string_view name) {
  return std::string(CALLPATH_TESTDATA_DIR) + "/otlp/" + std::string(name);
}

// The whole file; "" after recording a test failure if it cannot be read.
inline std::string ReadOtlpSample(std::string_view name) {
  const std::string path = OtlpSamplePath(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "missing test fixture " << path;
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace callpath::testing
