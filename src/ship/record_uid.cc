#include "ship/record_uid.h"

#include <cinttypes>
#include <cstdio>

namespace callpath::ship {

uint64_t FileIdentityHash(std::string_view host, uint64_t dev, uint64_t ino, const Fingerprint& head) {
  std::string identity(host);
  identity.push_back('\0');
  char numbers[96];
  int n =
      std::snprintf(numbers, sizeof numbers, "%" PRIu64 " %" PRIu64 " %u %" PRIx64, dev, ino, head.length, head.hash);
  identity.append(numbers, static_cast<size_t>(n));
  return FingerprintHash(identity);
}

std::string RecordUid(uint64_t file_identity, uint64_t end_offset) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uid(32, '0');
  for (int i = 15; i >= 0; --i, file_identity >>= 4) uid[static_cast<size_t>(i)] = kHex[file_identity & 15];
  for (int i = 31; i >= 16; --i, end_offset >>= 4) uid[static_cast<size_t>(i)] = kHex[end_offset & 15];
  return uid;
}

}  // namespace callpath::ship
