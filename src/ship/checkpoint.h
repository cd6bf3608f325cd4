// The shipper's checkpoint: for each file it follows, where the receiver
// has acknowledged up to. A file is known by its device and inode plus a
// fingerprint of its first bytes, so that a recycled inode, a file
// truncated and rewritten, and a copy of a file (copy-truncate rotation)
// are each told apart from the file they resemble.
//
// Written atomically: a temporary file, fsync, rename over the old one,
// fsync of the directory. A crash at any point leaves either the old or
// the new checkpoint, never a mix.
//
// An entry also notes an observed time for the records of the file that
// end at or before `sent_until`: those of the batch in flight when it was
// written, and those the file already held then. The receiver may have
// stored some of them; after a restart they are sent again with that same
// time, so that (with their log.record.uid) the receiver recognises them
// as the records it holds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"

namespace callpath::ship {

// A hash of the first `length` bytes of a file (at most kFingerprintBytes).
struct Fingerprint {
  uint32_t length = 0;
  uint64_t hash = 0;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

inline constexpr uint32_t kFingerprintBytes = 1024;
// Shorter fingerprints are too likely to match by chance ("2024-01-15 ")
// to say that one file is a copy of another.
inline constexpr uint32_t kMinCopyFingerprintBytes = 64;

// FNV-1a of `bytes`.
uint64_t FingerprintHash(std::string_view bytes) noexcept;

// The fingerprint of the file open at `fd`, of size `size`: its first
// min(size, kFingerprintBytes) bytes. IO errors give length 0.
Fingerprint ReadFingerprint(int fd, uint64_t size);

// True when the first fp.length bytes of `fd` still hash to fp.hash.
bool FingerprintStillMatches(int fd, const Fingerprint& fp);

struct CheckpointEntry {
  uint64_t dev = 0;
  uint64_t ino = 0;
  Fingerprint fingerprint;
  uint64_t offset = 0;  // acknowledged up to here
  // A file truncated in place (copy-truncate) whose old content a copy may
  // still hold: only its fingerprint and offset matter.
  bool retired = false;
  // The note (see above); 0, 0 when there is none.
  uint64_t sent_until = 0;
  uint64_t sent_observed_ns = 0;
  std::string path;
  friend bool operator==(const CheckpointEntry&, const CheckpointEntry&) = default;
};

// Reads `dir`/checkpoint (format v2, or v1 which has no batch in flight).
// A missing file is an empty checkpoint; a malformed one is DataLoss with
// the line.
Result<std::vector<CheckpointEntry>> LoadCheckpoint(const std::string& dir);

// Replaces `dir`/checkpoint atomically (see above).
Status SaveCheckpoint(const std::string& dir, const std::vector<CheckpointEntry>& entries);

}  // namespace callpath::ship
