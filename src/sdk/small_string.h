// Copying into strings that are reused object after object (pooled span
// data, export batches): the same key or name usually comes back with the
// same size, and then a plain copy in place beats std::string::assign's
// general path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace callpath::detail {

// memcpy for the short keys, names and values spans carry, inline: up to 32
// bytes take at most two pairs of overlapping word copies instead of a call
// into the library's general routine.
[[gnu::always_inline]] inline void CopyBytes(void* dst, const void* src, size_t n) noexcept {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (n >= 16) {
    if (n > 32) {
      std::memcpy(d, s, n);
      return;
    }
    unsigned char a[16], b[16];
    std::memcpy(a, s, 16);
    std::memcpy(b, s + n - 16, 16);
    std::memcpy(d, a, 16);
    std::memcpy(d + n - 16, b, 16);
  } else if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, s, 8);
    std::memcpy(&b, s + n - 8, 8);
    std::memcpy(d, &a, 8);
    std::memcpy(d + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    std::memcpy(d, &a, 4);
    std::memcpy(d + n - 4, &b, 4);
  } else if (n > 0) {
    const unsigned char first = s[0], middle = s[n / 2], last = s[n - 1];
    d[0] = first;
    d[n / 2] = middle;
    d[n - 1] = last;
  }
}

inline void AssignReused(std::string& dst, std::string_view src) noexcept {
  if (dst.size() == src.size()) {
    CopyBytes(dst.data(), src.data(), src.size());
  } else {
    dst.assign(src.data(), src.size());
  }
}

}  // namespace callpath::detail
