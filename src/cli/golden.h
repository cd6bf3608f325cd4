// Golden files for the CLI tests (test-only header): expected text beside
// the input in src/cli/testdata/. CALLPATH_UPDATE_GOLDEN=1 rewrites them
// instead of comparing; review the diff before committing.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace callpath::cli::testing {

inline std::string TestdataPath(const std::string& name) { return std::string(CALLPATH_CLI_TESTDATA) + "/" + name; }

inline std::string ReadTestdata(const std::string& name) {
  std::ifstream f(TestdataPath(name), std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline bool UpdatingGoldens() {
  const char* v = std::getenv("CALLPATH_UPDATE_GOLDEN");
  return v && *v && std::string(v) != "0";
}

// Compares `got` with testdata/`name` (or writes it when updating).
inline void ExpectGolden(const std::string& name, const std::string& got) {
  if (UpdatingGoldens()) {
    std::ofstream(TestdataPath(name), std::ios::binary | std::ios::trunc) << got;
    return;
  }
  std::string want = ReadTestdata(name);
  ASSERT_FALSE(want.empty()) << "missing golden file testdata/" << name
                             << " (run with CALLPATH_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(got, want) << "golden testdata/" << name << " differs";
}

}  // namespace callpath::cli::testing
