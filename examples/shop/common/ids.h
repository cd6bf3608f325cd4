// Business ids for orders, reservations and payments: a prefix and 12
// random hex digits ("ord-3f9a0c1d22e4").
#pragma once

#include <cstdio>
#include <random>
#include <string>
#include <string_view>

namespace shop {

inline std::string NewId(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%012llx",
                static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
  return std::string(prefix) + "-" + buf;
}

}  // namespace shop
