#include "ship/file_tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

namespace callpath::ship {

FileTailer::FileTailer(int fd, std::string path, const TailerOptions& options)
    : fd_(fd), path_(std::move(path)), options_(options) {}

FileTailer::~FileTailer() { ::close(fd_); }

Result<std::unique_ptr<FileTailer>> FileTailer::Open(const std::string& path, uint64_t offset,
                                                     const TailerOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable("open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Unavailable("stat " + path + ": " + std::strerror(errno));
  }
  std::unique_ptr<FileTailer> t(new FileTailer(fd, path, options));
  t->dev_ = static_cast<uint64_t>(st.st_dev);
  t->ino_ = static_cast<uint64_t>(st.st_ino);
  t->fingerprint_ = ReadFingerprint(fd, static_cast<uint64_t>(st.st_size));
  t->Reset(offset <= static_cast<uint64_t>(st.st_size) ? offset : 0);
  t->generation_ = 0;
  return t;
}

void FileTailer::Reset(uint64_t offset) {
  ++generation_;
  read_pos_ = emitted_ = acked_ = offset;
  pending_.clear();
  joiner_ = logparse::MultilineJoiner();
  at_eof_ = false;
}

void FileTailer::Acknowledge(uint64_t generation, uint64_t offset) noexcept {
  if (generation == generation_ && offset > acked_) acked_ = offset;
}

Fingerprint FileTailer::HeadFingerprint(uint64_t end_offset) const {
  const uint64_t want = end_offset < kFingerprintBytes ? end_offset : kFingerprintBytes;
  if (fingerprint_.length == want) return fingerprint_;
  return ReadFingerprint(fd_, want);
}

uint64_t FileTailer::CurrentSize() const {
  struct stat st {};
  return ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

bool FileTailer::TakeRetired(Fingerprint* fp, uint64_t* offset) {
  if (!retired_) return false;
  retired_ = false;
  *fp = retired_fp_;
  *offset = retired_offset_;
  return true;
}

void FileTailer::Emit(std::optional<logparse::JoinedRecord> r, std::vector<TailRecord>* out, size_t* bytes) {
  if (!r) return;
  emitted_ = r->end_offset;
  *bytes += r->text.size();
  out->push_back(TailRecord{std::move(r->text), r->end_offset, generation_});
}

void FileTailer::TakeLine(std::string_view line, uint64_t start, uint64_t end, std::vector<TailRecord>* out,
                          size_t* bytes) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto take = [&](std::string_view piece, uint64_t piece_start, uint64_t piece_end) {
    if (!options_.multiline) Emit(logparse::JoinedRecord{std::string(piece), piece_end}, out, bytes);
    else Emit(joiner_.Add(piece, piece_start, piece_end), out, bytes);
  };
  // A line longer than the limit goes out in pieces: nothing is dropped.
  while (line.size() > options_.max_line_bytes) {
    take(line.substr(0, options_.max_line_bytes), start, start + options_.max_line_bytes);
    line.remove_prefix(options_.max_line_bytes);
    start += options_.max_line_bytes;
  }
  take(line, start, end);
}

// Truncated in place: the file is shorter than what was read, or its first
// bytes are no longer those it began with.
bool FileTailer::CheckTruncated(uint64_t size, std::vector<TailRecord>* out) {
  bool truncated = size < read_pos_ || !FingerprintStillMatches(fd_, fingerprint_);
  if (!truncated) return false;
  size_t ignored = 0;
  // What the old content held is as complete as it will get.
  if (options_.multiline) Emit(joiner_.Flush(), out, &ignored);
  retired_ = true;
  retired_fp_ = fingerprint_;
  retired_offset_ = emitted_;
  fingerprint_ = ReadFingerprint(fd_, size);
  Reset(0);
  return true;
}

// Cuts the complete lines at the front of pending_ into records until
// `full` says the caller has enough; what is left stays for the next call.
void FileTailer::DrainPending(std::vector<TailRecord>* out, size_t* bytes, const std::function<bool()>& full,
                              Clock::time_point now) {
  const uint64_t base = read_pos_ - pending_.size();  // file offset of pending_[0]
  size_t start = 0;
  for (size_t nl; !full() && (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
    TakeLine(std::string_view(pending_).substr(start, nl - start), base + start, base + nl + 1, out, bytes);
    last_line_ = now;
  }
  // An unterminated line already longer than the limit: out in pieces too.
  while (!full() && pending_.find('\n', start) == std::string::npos &&
         pending_.size() - start >= options_.max_line_bytes) {
    TakeLine(std::string_view(pending_).substr(start, options_.max_line_bytes), base + start,
             base + start + options_.max_line_bytes, out, bytes);
    start += options_.max_line_bytes;
  }
  pending_.erase(0, start);
}

bool FileTailer::Poll(std::vector<TailRecord>* out, size_t budget_bytes, size_t max_records,
                      Clock::time_point now) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return false;
  deleted_ = st.st_nlink == 0;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  CheckTruncated(size, out);
  if (fingerprint_.length < kFingerprintBytes && size > fingerprint_.length)
    fingerprint_ = ReadFingerprint(fd_, size);
  size_t bytes = 0;
  const size_t first = out->size();
  auto full = [&] { return bytes >= budget_bytes || out->size() - first >= max_records; };
  DrainPending(out, &bytes, full, now);
  std::string chunk;
  while (!full() && read_pos_ < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(size - read_pos_, options_.read_chunk_bytes));
    chunk.resize(want);
    ssize_t n = ::pread(fd_, chunk.data(), want, static_cast<off_t>(read_pos_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending_.append(chunk.data(), static_cast<size_t>(n));
    read_pos_ += static_cast<uint64_t>(n);
    last_growth_ = now;
    DrainPending(out, &bytes, full, now);
  }
  const bool lines_left = pending_.find('\n') != std::string::npos;
  at_eof_ = read_pos_ >= size && !lines_left;
  if (options_.multiline && joiner_.holding() && now - last_line_ >= options_.multiline_flush && !full()) {
    Emit(joiner_.Flush(), out, &bytes);
  }
  return read_pos_ < size || lines_left;
}

void FileTailer::FlushHeld(std::vector<TailRecord>* out) {
  size_t bytes = 0;
  if (options_.multiline) Emit(joiner_.Flush(), out, &bytes);
}

void FileTailer::Finish(std::vector<TailRecord>* out) {
  size_t bytes = 0;
  if (!pending_.empty()) {
    std::string last = std::move(pending_);
    pending_.clear();
    TakeLine(last, read_pos_ - last.size(), read_pos_, out, &bytes);
  }
  if (options_.multiline) Emit(joiner_.Flush(), out, &bytes);
}

}  // namespace callpath::ship
