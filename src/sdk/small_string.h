// Copying into strings that are reused object after object (pooled span
// data, export batches): the same key or name usually comes back with the
// same size, and then a plain copy in place beats std::string::assign's
// general path.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

namespace callpath::detail {

inline void AssignReused(std::string& dst, std::string_view src) noexcept {
  if (dst.size() == src.size()) {
    if (!src.empty()) std::memcpy(dst.data(), src.data(), src.size());
  } else {
    dst.assign(src.data(), src.size());
  }
}

}  // namespace callpath::detail
