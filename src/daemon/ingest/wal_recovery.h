// Reading an ingest WAL directory after a restart, and what it found.
//
// Only a torn tail - unreadable bytes at the end of the newest segment
// that could be one record cut short by a crash - is expected; it is cut
// (a copy kept in quarantine/) and reported as a warning. Everything else
// is damage: the records around it are still read (ScanWalSegment), the
// segment is left as it is, and each unreadable stretch is reported with
// its bytes, the lsns missing there and how many of those the store lacks
// (acknowledged data that is gone).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "callpath/status.h"
#include "daemon/ingest/wal_format.h"

namespace callpath::daemon {

// One stretch of the WAL that could not be read.
struct WalDamage {
  std::string segment;          // file name; empty: no file holds these lsns
  uint64_t begin = 0, end = 0;  // unreadable bytes [begin, end) of the segment
  // The lsns missing there; last_lsn 0: open-ended (nothing follows to say
  // where they stop), first_lsn 0: none known.
  uint64_t first_lsn = 0, last_lsn = 0;
  uint64_t lost = 0;            // of those, lsns above the store's position
  bool torn_tail = false;       // a crash's cut-off write, cut from the file

  std::string Describe() const;  // one line for logs, /readyz and `check`
};

struct WalRecoveryReport {
  uint64_t segments = 0;
  uint64_t records = 0;         // good records read
  uint64_t replayed = 0;        // ... of which the store lacked
  std::vector<WalDamage> damage;  // in lsn order, the torn tail included

  uint64_t lost_records() const;     // sum of WalDamage::lost (damage only)
  uint64_t damaged_bytes() const;    // unreadable bytes (damage only)
  uint64_t torn_tail_bytes() const;
  bool damaged() const;              // anything besides a torn tail
  std::vector<std::string> Lines() const;  // Describe() of each
};

struct WalSegmentFile {
  uint64_t first_lsn = 0;  // from the name
  std::string path;
  uint64_t bytes = 0;      // after cutting a torn tail
  bool damaged = false;    // never cut or deleted: moved to quarantine/
};

struct WalReadOptions {
  // Cut a torn tail from the newest segment (keeping a copy in
  // quarantine/); false reads without changing anything.
  bool cut_torn_tail = true;
  // When set, called for each good record at or below `after_lsn` (in the
  // store already), in lsn order with the others.
  std::function<void(const WalRecord&)> covered;
};

// Reads every segment of `dir` in lsn order and calls `replay` for each
// good record with lsn > `after_lsn` (the store's durable position).
// Errors only when the directory or a file cannot be read at all.
Status ReadWalDir(const std::string& dir, uint64_t after_lsn, const WalReadOptions& options,
                  const std::function<void(const WalRecord&)>& replay, WalRecoveryReport* report,
                  std::vector<WalSegmentFile>* segments);

// Where damaged segments and cut tails are kept.
std::string WalQuarantineDir(const std::string& wal_dir);

// Moves a damaged segment into the quarantine directory, beside a text file
// describing its damage.
Status QuarantineWalSegment(const std::string& wal_dir, const std::string& path,
                            const std::vector<std::string>& damage_lines);

}  // namespace callpath::daemon
