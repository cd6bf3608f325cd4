// FileTailer: follows one open file (one inode) from an offset: reads what
// is appended, cuts it into lines, joins multi-line records, and hands out
// complete records with the offset just past each. Bytes after the last
// line break are held until the line is complete, or until the file is
// finished (deleted, or rotated away and idle), when they become a record.
//
// It notices truncation in place (the size falls below what was read, or
// the first bytes change) and starts over at offset 0 in a new generation,
// so that acknowledgements for the old content are not applied to the new.
// Thread-compatible: the shipper's one thread drives it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "callpath/status.h"
#include "logparse/multiline.h"
#include "ship/checkpoint.h"

namespace callpath::ship {

struct TailerOptions {
  bool multiline = true;                  // join stack traces (logparse/multiline.h)
  size_t max_line_bytes = 8 * 1024 * 1024;  // longer lines are cut into pieces this long
  size_t read_chunk_bytes = 1 << 20;      // one read() at most
  // A record the joiner holds is sent after this long without a new line.
  std::chrono::milliseconds multiline_flush{500};
};

struct TailRecord {
  std::string text;
  uint64_t end_offset = 0;  // file offset just past the record's last line
  uint64_t generation = 0;  // the tailer's generation when it was read
};

class FileTailer {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens `path` and positions at `offset` (0 when the file is now shorter).
  static Result<std::unique_ptr<FileTailer>> Open(const std::string& path, uint64_t offset,
                                                  const TailerOptions& options);
  ~FileTailer();

  // Reads appended data into complete records (appended to `out`) until
  // about `budget_bytes` of records or `max_records` records are out, or the
  // end of the file. True when data remains to be read. A zero budget only
  // looks for truncation.
  bool Poll(std::vector<TailRecord>* out, size_t budget_bytes, size_t max_records, Clock::time_point now);

  // The file will not be written again (deleted or rotated away and idle):
  // the held record and any unterminated last line become records.
  void Finish(std::vector<TailRecord>* out);

  // Starts over at `offset` in a new generation (what was held is dropped).
  void Reset(uint64_t offset);

  // The receiver has stored every record of `generation` up to `offset`.
  void Acknowledge(uint64_t generation, uint64_t offset) noexcept;

  // Set when Poll saw the file truncated: the old content's fingerprint
  // and the offset of the last record handed out from it (a copy made by
  // copy-truncate rotation continues from there). Cleared by TakeRetired.
  bool TakeRetired(Fingerprint* fp, uint64_t* offset);

  uint64_t dev() const noexcept { return dev_; }
  uint64_t ino() const noexcept { return ino_; }
  const std::string& path() const noexcept { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }
  const Fingerprint& fingerprint() const noexcept { return fingerprint_; }
  // The fingerprint of the file's first min(end_offset, kFingerprintBytes)
  // bytes: what a record ending at end_offset can be known by however the
  // file grows later (record_uid.h). Reads the file unless that is the
  // current fingerprint.
  Fingerprint HeadFingerprint(uint64_t end_offset) const;
  // The file's size now (fstat); 0 when that fails.
  uint64_t CurrentSize() const;
  uint64_t acked_offset() const noexcept { return acked_; }
  uint64_t emitted_offset() const noexcept { return emitted_; }
  uint64_t generation() const noexcept { return generation_; }
  // At the end of the file with nothing held back but an unterminated last
  // line, and every record handed out acknowledged.
  bool drained() const noexcept { return at_eof_ && !joiner_.holding() && acked_ == emitted_; }

  // Hands out the record the joiner holds, if any.
  void FlushHeld(std::vector<TailRecord>* out);
  bool deleted() const noexcept { return deleted_; }
  Clock::time_point last_growth() const noexcept { return last_growth_; }

 private:
  FileTailer(int fd, std::string path, const TailerOptions& options);
  void Emit(std::optional<logparse::JoinedRecord> r, std::vector<TailRecord>* out, size_t* bytes);
  void DrainPending(std::vector<TailRecord>* out, size_t* bytes, const std::function<bool()>& full,
                    Clock::time_point now);
  void TakeLine(std::string_view line, uint64_t start, uint64_t end, std::vector<TailRecord>* out, size_t* bytes);
  bool CheckTruncated(uint64_t size, std::vector<TailRecord>* out);

  int fd_;
  std::string path_;
  TailerOptions options_;
  uint64_t dev_ = 0, ino_ = 0;
  Fingerprint fingerprint_;
  uint64_t generation_ = 0;
  uint64_t read_pos_ = 0;       // bytes read from the file
  std::string pending_;         // read, not yet a complete line
  uint64_t emitted_ = 0;        // end of the last record handed out
  uint64_t acked_ = 0;          // end of the last record acknowledged
  logparse::MultilineJoiner joiner_;
  bool at_eof_ = false;
  bool deleted_ = false;
  Clock::time_point last_line_{};
  Clock::time_point last_growth_{Clock::now()};
  bool retired_ = false;
  Fingerprint retired_fp_;
  uint64_t retired_offset_ = 0;
};

}  // namespace callpath::ship
