#include "ship/record_uid.h"

#include <cinttypes>
#include <cstdio>

namespace callpath::ship {

std::string RecordUid(std::string_view host, uint64_t dev, uint64_t ino, const Fingerprint& head,
                      uint64_t end_offset) {
  std::string identity(host);
  identity.push_back('\0');
  char numbers[96];
  int n = std::snprintf(numbers, sizeof numbers, "%" PRIu64 " %" PRIu64 " %u %" PRIx64, dev, ino, head.length,
                        head.hash);
  identity.append(numbers, static_cast<size_t>(n));
  char uid[33];
  std::snprintf(uid, sizeof uid, "%016" PRIx64 "%016" PRIx64, FingerprintHash(identity), end_offset);
  return uid;
}

}  // namespace callpath::ship
