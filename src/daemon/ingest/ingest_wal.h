// IngestWal: callpathd's write-ahead log of accepted export requests.
//
// A receiver acknowledges a request once its (decompressed, validated) body
// is in this log and synced; indexing into the store happens afterwards, in
// the background, from the same bytes. After a crash the records the store
// had not yet made durable are replayed from here.
//
// Files: `<dir>/<first lsn, 20 digits>.wal`, appended to and never
// rewritten. A new segment starts when the current one exceeds
// `segment_bytes`, and at every Open. Records (wal_format.h) are numbered
// by lsn 1, 2, 3... with no gaps. Open reads past damage (wal_recovery.h):
// it cuts only a torn tail, keeps damaged segments until their good
// records are in the store and then moves them to `<dir>/quarantine/`.
//
// A failed write or sync (a full disk) refuses appends until the log heals:
// the committer cuts the partial write off, probes the disk every second
// and takes records again, with the same numbering, once there is room.
//
// Group commit: Append only queues the record; one committer thread writes
// everything queued with one write() and one fdatasync(), then hands the
// group to the consumer and runs the callbacks. Requests arriving during a
// sync form the next group.
//
// Thread-safe. Callbacks and the consumer run on the committer thread and
// must not block for long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "callpath/status.h"
#include "daemon/ingest/wal_format.h"
#include "daemon/ingest/wal_recovery.h"
#include "store/store.h"

namespace callpath::daemon {

// What a record carries to the consumer besides its bytes: what the
// receiver (or the tail sampler) already made of its body.
struct WalAttachment {
  // Written to the store at the record's lsn.
  std::vector<std::shared_ptr<const store::PreparedBatch>> stored;
  // Items for the tail sampler (records of a sampled kind), taken by the
  // consumer; null otherwise.
  std::shared_ptr<store::IngestBatch> to_sample;
  // A decision record: the tail sampler's Decisions id, released once the
  // record's write is done (0: none).
  uint64_t decisions_id = 0;

  uint64_t items() const {
    uint64_t n = to_sample ? to_sample->items() : 0;
    for (const auto& b : stored) n += b ? b->items() : 0;
    return n;
  }
};

// Records made durable together, in lsn order. `data` holds them encoded
// as in the file (ParseWalRecords reads them back) until they are written;
// the consumer gets the records' attachments (what the receiver already
// made of each body), not the bytes.
struct WalGroup {
  uint64_t first_lsn = 0, last_lsn = 0;
  uint64_t items = 0;  // sum of the attachments' items
  std::string data;
  std::vector<std::shared_ptr<const WalAttachment>> attachments;  // one per record (may be null)
};

struct WalOptions {
  std::string dir;
  uint64_t segment_bytes = 64ull << 20;
  bool sync = true;  // fdatasync each group (false: page cache only)
  // While writes fail, how often the committer probes the disk.
  std::chrono::milliseconds heal_interval{1000};
  // The free space a probe must find (reserved with fallocate, then given
  // back) before appends are taken again.
  uint64_t heal_probe_bytes = 1ull << 20;
};

class IngestWal {
 public:
  using Durable = std::function<void(const Status&)>;
  using Consumer = std::function<void(std::shared_ptr<WalGroup>)>;

  // Opens (creating `dir`), calls `replay` for every good record with lsn >
  // `after_lsn` in lsn order - and `covered`, when given, for the good
  // records at or below it that are still kept - then starts a new
  // segment. Numbering goes on after max(last record found, after_lsn).
  // What could not be read is in recovery().
  static Result<std::unique_ptr<IngestWal>> Open(const WalOptions& options, uint64_t after_lsn,
                                                 const std::function<void(const WalRecord&)>& replay,
                                                 const std::function<void(const WalRecord&)>& covered = nullptr);
  ~IngestWal();  // Stop()s

  // Starts the committer; durable groups go to `consumer` (in lsn order).
  void Start(Consumer consumer);

  // Queues one record with its attachment (the body converted, handed to
  // the consumer with the group); `durable` runs once the record is synced
  // (OK) or could not be (Unavailable, with the reason). After a write or
  // sync error appends are refused at once until the log heals.
  void Append(WalKind kind, uint64_t received_ns, std::string_view body,
              std::shared_ptr<const WalAttachment> attachment, Durable durable);

  // Deletes the closed segments whose records all have lsn <= `lsn` (moves
  // damaged ones to quarantine/ instead); after Stop, the last segment too
  // when `lsn` covers every record.
  void DropThrough(uint64_t lsn);

  uint64_t last_lsn() const;         // the last lsn handed out
  // Empty while writes succeed; else why appends are refused.
  std::string failure() const;
  const WalRecoveryReport& recovery() const { return recovery_; }
  uint64_t bytes_on_disk() const;    // all segments
  uint64_t closed_bytes() const;     // all segments but the one written to

  // Commits what is queued, then stops the committer. Idempotent.
  void Stop();

 private:
  struct Segment {
    uint64_t first_lsn;
    uint64_t bytes;
    std::string path;
    bool damaged = false;  // read with damage: quarantined, never deleted
  };

  explicit IngestWal(const WalOptions& options);
  Status OpenSegment(uint64_t first_lsn);  // under mu_
  void CommitLoop();
  // After a failed write: fails what is queued and rewinds the numbering.
  // Under mu_; returns the callbacks to run.
  std::vector<Durable> FailQueued(const Status& why, uint64_t first_unwritten);
  // Cuts a partial write off and checks the disk has room again.
  Status Heal();

  WalOptions options_;
  Consumer consumer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<WalGroup> pending_;  // guarded by mu_
  std::vector<Durable> pending_callbacks_;
  uint64_t next_lsn_ = 1;
  bool stopping_ = false;
  bool stopped_ = false;  // the committer has exited
  bool failed_ = false;
  std::string failure_;      // guarded by mu_
  WalRecoveryReport recovery_;
  std::deque<Segment> segments_;  // oldest first; back() is written to
  int fd_ = -1;                   // of segments_.back(); committer only after Start
  std::thread committer_;
};

}  // namespace callpath::daemon
