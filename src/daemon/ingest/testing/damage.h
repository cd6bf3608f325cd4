// Damage done on purpose by the durability tests (unit and integration):
// flips bytes of a file in place, as a failing disk or a stray write would.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace callpath::daemon::testing {

// XORs `n` bytes of `path` from offset `at` with 0x5a (never a no-op).
inline void FlipBytes(const std::string& path, uint64_t at, int n) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  for (int i = 0; i < n; ++i) {
    f.seekg(static_cast<std::streamoff>(at + i));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(at + i));
    f.put(static_cast<char>(c ^ 0x5a));
  }
}

}  // namespace callpath::daemon::testing
