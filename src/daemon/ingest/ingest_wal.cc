#include "daemon/ingest/ingest_wal.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace callpath::daemon {
namespace {

constexpr size_t kHeaderBytes = 4 + 4 + 8 + 1 + 8;
constexpr uint32_t kMaxPayload = 1u << 30;

void PutLe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void PutLe64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t GetLe32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetLe64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint32_t PayloadCrc(std::string_view payload) {
  // crc32 takes uInt lengths; payloads are capped far below 4 GiB.
  return static_cast<uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
}

// The record checksum: the payload's crc (computed by the appending thread
// before it takes the lock), continued over the header after the crc field.
uint32_t RecordCrc(uint32_t payload_crc, const char* after_crc) {
  return static_cast<uint32_t>(
      crc32(payload_crc, reinterpret_cast<const Bytef*>(after_crc), static_cast<uInt>(kHeaderBytes - 8)));
}

void AppendRecord(std::string* out, uint64_t lsn, WalKind kind, uint64_t received_ns, std::string_view body,
                  uint32_t body_crc) {
  size_t at = out->size();
  out->resize(at + kHeaderBytes);
  char* h = out->data() + at;
  PutLe32(h, static_cast<uint32_t>(body.size()));
  PutLe64(h + 8, lsn);
  h[16] = static_cast<char>(kind);
  PutLe64(h + 17, received_ns);
  PutLe32(h + 4, RecordCrc(body_crc, h + 8));
  out->append(body);
}

std::string SegmentName(uint64_t first_lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu.wal", static_cast<unsigned long long>(first_lsn));
  return buf;
}

Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Unavailable(std::string("ingest WAL write: ") + std::strerror(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

void SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  (void)::fsync(fd);  // best effort: the segment's own syncs carry the data
  ::close(fd);
}

}  // namespace

size_t ParseWalRecords(std::string_view data, const std::function<void(const WalRecord&)>& fn) {
  size_t pos = 0;
  while (data.size() - pos >= kHeaderBytes) {
    const char* h = data.data() + pos;
    uint32_t len = GetLe32(h);
    if (len > kMaxPayload || data.size() - pos - kHeaderBytes < len) break;
    std::string_view payload(h + kHeaderBytes, len);
    if (GetLe32(h + 4) != RecordCrc(PayloadCrc(payload), h + 8)) break;
    auto kind = static_cast<uint8_t>(h[16]);
    if (kind < 1 || kind > 4) break;
    WalRecord r;
    r.lsn = GetLe64(h + 8);
    r.kind = static_cast<WalKind>(kind);
    r.received_ns = GetLe64(h + 17);
    r.body = payload;
    fn(r);
    pos += kHeaderBytes + len;
  }
  return pos;
}

IngestWal::IngestWal(const WalOptions& options) : options_(options) {}

IngestWal::~IngestWal() {
  Stop();
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<IngestWal>> IngestWal::Open(const WalOptions& options, uint64_t after_lsn,
                                                   const std::function<void(const WalRecord&)>& replay) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Unavailable("cannot create " + options.dir + ": " + ec.message());
  std::unique_ptr<IngestWal> wal(new IngestWal(options));

  std::vector<std::pair<uint64_t, std::string>> found;
  for (auto it = fs::directory_iterator(options.dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() != 24 || !name.ends_with(".wal")) continue;
    char* end = nullptr;
    uint64_t first = std::strtoull(name.c_str(), &end, 10);
    if (end != name.c_str() + 20) continue;
    found.emplace_back(first, it->path().string());
  }
  if (ec) return Unavailable("cannot list " + options.dir + ": " + ec.message());
  std::sort(found.begin(), found.end());

  uint64_t last = after_lsn;
  std::string content;
  for (const auto& [first, path] : found) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Unavailable("cannot read " + path);
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    size_t good = ParseWalRecords(content, [&](const WalRecord& r) {
      if (r.lsn > last) last = r.lsn;
      if (r.lsn > after_lsn) replay(r);
    });
    if (good < content.size()) {
      // A torn tail (the crash hit mid-write): cut it so the file is clean.
      if (::truncate(path.c_str(), static_cast<off_t>(good)) != 0) {
        return Unavailable("cannot truncate torn WAL tail of " + path + ": " + std::strerror(errno));
      }
    }
    wal->segments_.push_back(Segment{first, good, path});
  }
  wal->next_lsn_ = last + 1;
  std::lock_guard<std::mutex> lock(wal->mu_);
  CALLPATH_RETURN_IF_ERROR(wal->OpenSegment(wal->next_lsn_));
  return wal;
}

Status IngestWal::OpenSegment(uint64_t first_lsn) {
  std::string path = options_.dir + "/" + SegmentName(first_lsn);
  // A segment left over with the same first lsn holds no record we need
  // (all of its records were replayed or it is empty): start it afresh.
  if (!segments_.empty() && segments_.back().first_lsn == first_lsn) segments_.pop_back();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Unavailable("cannot create " + path + ": " + std::strerror(errno));
  SyncDir(options_.dir);
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segments_.push_back(Segment{first_lsn, 0, path});
  return Status::Ok();
}

void IngestWal::Start(Consumer consumer) {
  consumer_ = std::move(consumer);
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "cp-wal");
    CommitLoop();
  });
}

void IngestWal::Append(WalKind kind, uint64_t received_ns, std::string_view body,
                       std::shared_ptr<const store::PreparedBatch> batch, Durable durable) {
  if (body.size() > kMaxPayload) {
    durable(InvalidArgument("request body too large for the ingest WAL"));
    return;
  }
  uint32_t body_crc = PayloadCrc(body);
  const char* refusal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    refusal = failed_ ? "ingest write-ahead log failed" : "callpathd is shutting down";
    if (!failed_ && !stopping_) {
      if (!pending_) {
        pending_ = std::make_shared<WalGroup>();
        pending_->first_lsn = next_lsn_;
        pending_->data.reserve(std::max<size_t>(1u << 20, 4 * (kHeaderBytes + body.size())));
      }
      uint64_t lsn = next_lsn_++;
      AppendRecord(&pending_->data, lsn, kind, received_ns, body, body_crc);
      pending_->last_lsn = lsn;
      if (batch) pending_->items += batch->items();
      pending_->batches.push_back(std::move(batch));
      pending_callbacks_.push_back(std::move(durable));
      cv_.notify_one();
      return;
    }
  }
  durable(Unavailable(refusal));
}

void IngestWal::CommitLoop() {
  std::vector<Durable> callbacks;
  for (;;) {
    std::shared_ptr<WalGroup> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return pending_ != nullptr || stopping_; });
      if (!pending_) return;  // stopping, nothing left
      group = std::move(pending_);
      pending_.reset();
      callbacks.swap(pending_callbacks_);
      Segment& cur = segments_.back();
      if (cur.bytes > 0 && cur.bytes + group->data.size() > options_.segment_bytes) {
        Status s = OpenSegment(group->first_lsn);
        if (!s.ok()) failed_ = true;
      }
    }
    Status s = failed_ ? Unavailable("ingest write-ahead log failed")
                       : WriteAll(fd_, group->data.data(), group->data.size());
    if (s.ok() && options_.sync && ::fdatasync(fd_) != 0) {
      s = Unavailable(std::string("ingest WAL sync: ") + std::strerror(errno));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (s.ok()) segments_.back().bytes += group->data.size();
      else failed_ = true;
    }
    if (s.ok()) {
      std::string().swap(group->data);  // written: only the attachments are needed now
      consumer_(group);
    }
    for (auto& cb : callbacks) cb(s);
    callbacks.clear();
  }
}

void IngestWal::DropThrough(uint64_t lsn) {
  std::vector<std::string> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Segment i holds lsns [first_i, first_{i+1}); never the open one
    // while records may still be appended to it.
    while (segments_.size() > 1 && segments_[1].first_lsn <= lsn + 1) {
      doomed.push_back(segments_.front().path);
      segments_.pop_front();
    }
    if (stopped_ && segments_.size() == 1 && lsn + 1 >= next_lsn_) {
      // Stopped and all covered: a clean restart finds nothing to read.
      doomed.push_back(segments_.front().path);
      segments_.pop_front();
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
    }
  }
  for (const auto& p : doomed) (void)::unlink(p.c_str());  // a leftover is replayed and skipped
}

uint64_t IngestWal::last_lsn() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_lsn_ - 1;
}

uint64_t IngestWal::bytes_on_disk() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const auto& s : segments_) n += s.bytes;
  return n;
}

uint64_t IngestWal::closed_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (size_t i = 0; i + 1 < segments_.size(); ++i) n += segments_[i].bytes;
  return n;
}

void IngestWal::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
}

}  // namespace callpath::daemon
