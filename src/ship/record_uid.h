// The log.record.uid (OpenTelemetry semantic conventions) callpath-ship
// gives each record it reads: the same record of the same file gets the
// same uid however often it is read, so that a receiver can recognise a
// record sent again after a crash (callpathd's embedded store keeps it
// once; see docs/logs.md).
//
// A record is named by where it lies: the host, the file (device, inode
// and a fingerprint of its first bytes, as the checkpoint knows files) and
// the offset just past the record. The fingerprint covers the bytes before
// that offset only (at most kFingerprintBytes), so a record near the start
// of a file that grows keeps its uid.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ship/checkpoint.h"

namespace callpath::ship {

// The first half of the uid: a hash of (host, dev, ino, head), where
// `head` is the fingerprint of the file's first min(end_offset,
// kFingerprintBytes) bytes. The same for every record past the first KiB,
// so callers keep it.
uint64_t FileIdentityHash(std::string_view host, uint64_t dev, uint64_t ino, const Fingerprint& head);

// 32 lowercase hex digits: 16 of FileIdentityHash and 16 of end_offset.
std::string RecordUid(uint64_t file_identity, uint64_t end_offset);
inline std::string RecordUid(std::string_view host, uint64_t dev, uint64_t ino, const Fingerprint& head,
                             uint64_t end_offset) {
  return RecordUid(FileIdentityHash(host, dev, ino, head), end_offset);
}

}  // namespace callpath::ship
