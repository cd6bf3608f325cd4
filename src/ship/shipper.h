// Shipper: callpath-ship's loop. Finds files by glob, follows each with a
// FileTailer, parses their records (logparse::LineParser), sends them as
// OTLP logs and, only once the receiver has answered 2xx (callpathd: the
// records are in its write-ahead log), records the new offsets in the
// checkpoint.
//
// Guarantees: a record is never dropped silently - a receiver that is down
// or slow is retried with backoff for as long as it takes, and reading
// waits meanwhile (memory stays bounded by one batch); a record the
// receiver refuses for good (4xx other than 429) is reported on stderr and
// counted. After a restart, reading resumes at the checkpoint: nothing that
// was checkpointed is sent again and nothing after it is skipped. The one
// batch in flight when the process is killed is sent again (the receiver
// may have stored it, the checkpoint did not yet say so), but as the same
// records: each carries a log.record.uid derived from where it lies
// (record_uid.h), and a record without a time of its own keeps its
// observed time, noted in the checkpoint before its batch first goes. A
// receiver that recognises uids (callpathd's RocksDB store) thus stores
// every record exactly once; to any other, this is at-least-once.
//
// Rotation: a renamed file keeps its inode and is read to its end; a
// truncated one (copy-truncate) starts over at 0, and a copy whose first
// bytes match a file already followed continues from where that file was.
// A new file shorter than the fingerprint (1 KiB) is opened once it stops
// changing for finish_after, so that a copy still being written is not
// mistaken for a new file.
// Files that vanish from the globs or are deleted are finished after
// finish_after without growth. Single-threaded; Stop() may be called from
// any thread (or a signal handler through RequestStop).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "callpath/status.h"
#include "ship/ship_options.h"

namespace callpath::ship {

struct ShipStats {
  uint64_t records_sent = 0;      // acknowledged by the receiver
  uint64_t records_refused = 0;   // refused for good (reported on stderr)
  uint64_t requests = 0;
  uint64_t retries = 0;           // requests repeated after a failure
  uint64_t bytes_read = 0;        // log text read from files
};

class Shipper {
 public:
  explicit Shipper(ShipOptions options);
  ~Shipper();

  // Runs until `stop` becomes true (or, with options.once, until every file
  // has been read to its end and acknowledged). An error only for what
  // cannot go on: a bad format or an unusable checkpoint directory.
  Status Run(const std::atomic<bool>& stop);

  ShipStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callpath::ship
