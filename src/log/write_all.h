#pragma once

#include <errno.h>
#include <unistd.h>

#include <string_view>

namespace callpath::log::detail {

// write(2) until all of `data` is written; false on an error other than EINTR.
inline bool WriteAll(int fd, std::string_view data) noexcept {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace callpath::log::detail
