// IngestWal: callpathd's write-ahead log of accepted export requests.
//
// A receiver acknowledges a request once its (decompressed, validated) body
// is in this log and synced; indexing into the store happens afterwards, in
// the background, from the same bytes. After a crash the records the store
// had not yet made durable are replayed from here.
//
// Files: `<dir>/<first lsn, 20 digits>.wal`, appended to and never
// rewritten. A new segment starts when the current one exceeds
// `segment_bytes`, and at every Open. A record is
//
//   u32 payload length | u32 crc32 of (payload, then lsn, kind, time) |
//   u64 lsn | u8 kind | u64 received_ns | payload
//
// (little-endian), where lsn numbers records 1, 2, 3... with no gaps.
// Replay stops at the first record of a segment that is short or fails
// its checksum (a torn write at the crash) and cuts the file there.
//
// Group commit: Append only queues the record; one committer thread writes
// everything queued with one write() and one fdatasync(), then hands the
// group to the consumer and runs the callbacks. Requests arriving during a
// sync form the next group.
//
// Thread-safe. Callbacks and the consumer run on the committer thread and
// must not block for long.
#pragma once

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
#include "store/store.h"

namespace callpath::daemon {

enum class WalKind : uint8_t { kTracesProto = 1, kTracesJson = 2, kLogsProto = 3, kLogsJson = 4 };

struct WalRecord {
  uint64_t lsn = 0;
  WalKind kind = WalKind::kTracesProto;
  uint64_t received_ns = 0;  // wall clock when the request arrived
  std::string_view body;     // points into the segment or group buffer
};

// Records made durable together, in lsn order. `data` holds them encoded
// as in the file (ParseWalRecords reads them back) until they are written;
// the consumer gets the records' attachments (what the receiver already
// made of each body), not the bytes.
struct WalGroup {
  uint64_t first_lsn = 0, last_lsn = 0;
  uint64_t items = 0;  // sum of the attachments' items
  std::string data;
  std::vector<std::shared_ptr<const store::PreparedBatch>> batches;  // one per record
};

// Decodes consecutive records; stops at the end or at the first record
// that is short or corrupt. Returns the bytes consumed by good records.
size_t ParseWalRecords(std::string_view data, const std::function<void(const WalRecord&)>& fn);

struct WalOptions {
  std::string dir;
  uint64_t segment_bytes = 64ull << 20;
  bool sync = true;  // fdatasync each group (false: page cache only)
};

class IngestWal {
 public:
  using Durable = std::function<void(const Status&)>;
  using Consumer = std::function<void(std::shared_ptr<WalGroup>)>;

  // Opens (creating `dir`), calls `replay` for every record with lsn >
  // `after_lsn` in lsn order, then starts a new segment. Numbering goes on
  // after max(last record found, after_lsn).
  static Result<std::unique_ptr<IngestWal>> Open(const WalOptions& options, uint64_t after_lsn,
                                                 const std::function<void(const WalRecord&)>& replay);
  ~IngestWal();  // Stop()s

  // Starts the committer; durable groups go to `consumer` (in lsn order).
  void Start(Consumer consumer);

  // Queues one record with its attachment (`batch`: the body converted,
  // handed to the consumer with the group); `durable` runs once the record
  // is synced (OK) or the log failed (Unavailable). After a write or sync
  // error the log refuses everything (the file may end in a torn record;
  // a restart recovers).
  void Append(WalKind kind, uint64_t received_ns, std::string_view body,
              std::shared_ptr<const store::PreparedBatch> batch, Durable durable);

  // Deletes the closed segments whose records all have lsn <= `lsn`; after
  // Stop, the last segment too when `lsn` covers every record.
  void DropThrough(uint64_t lsn);

  uint64_t last_lsn() const;         // the last lsn handed out
  uint64_t bytes_on_disk() const;    // all segments
  uint64_t closed_bytes() const;     // all segments but the one written to

  // Commits what is queued, then stops the committer. Idempotent.
  void Stop();

 private:
  struct Segment {
    uint64_t first_lsn;
    uint64_t bytes;
    std::string path;
  };

  explicit IngestWal(const WalOptions& options);
  Status OpenSegment(uint64_t first_lsn);  // under mu_
  void CommitLoop();

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
  std::deque<Segment> segments_;  // oldest first; back() is written to
  int fd_ = -1;                   // of segments_.back(); committer only after Start
  std::thread committer_;
};

}  // namespace callpath::daemon
