#include "daemon/ingest/ingest_wal.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace callpath::daemon {
namespace {

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

IngestWal::IngestWal(const WalOptions& options) : options_(options) {}

IngestWal::~IngestWal() {
  Stop();
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<IngestWal>> IngestWal::Open(const WalOptions& options, uint64_t after_lsn,
                                                   const std::function<void(const WalRecord&)>& replay,
                                                   const std::function<void(const WalRecord&)>& covered) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Unavailable("cannot create " + options.dir + ": " + ec.message());
  std::unique_ptr<IngestWal> wal(new IngestWal(options));

  uint64_t last = after_lsn;
  std::vector<WalSegmentFile> found;
  WalReadOptions read;
  read.covered = covered;
  CALLPATH_RETURN_IF_ERROR(ReadWalDir(options.dir, after_lsn, read, [&](const WalRecord& r) {
    last = std::max(last, r.lsn);
    replay(r);
  }, &wal->recovery_, &found));
  // Lsns known to be missing were handed out once: never again.
  // A damaged tail held at least the lsn it starts with.
  for (const auto& d : wal->recovery_.damage)
    if (!d.torn_tail) last = std::max(last, d.last_lsn != 0 ? d.last_lsn : d.first_lsn);
  for (const auto& f : found) wal->segments_.push_back(Segment{f.first_lsn, f.bytes, f.path, f.damaged});
  wal->next_lsn_ = last + 1;
  std::lock_guard<std::mutex> lock(wal->mu_);
  CALLPATH_RETURN_IF_ERROR(wal->OpenSegment(wal->next_lsn_));
  return wal;
}

Status IngestWal::OpenSegment(uint64_t first_lsn) {
  std::string path = options_.dir + "/" + SegmentName(first_lsn);
  // A segment left over with the same first lsn holds no record we need
  // (all of its records were replayed or it is empty): start it afresh -
  // unless it is damaged, then it is kept aside first.
  if (!segments_.empty() && segments_.back().first_lsn == first_lsn) {
    if (segments_.back().damaged) {
      CALLPATH_RETURN_IF_ERROR(QuarantineWalSegment(options_.dir, segments_.back().path, recovery_.Lines()));
    }
    segments_.pop_back();
  }
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
                       std::shared_ptr<const WalAttachment> attachment, Durable durable) {
  if (body.size() > kWalMaxPayload) {
    durable(InvalidArgument("request body too large for the ingest WAL"));
    return;
  }
  uint32_t body_crc = WalPayloadCrc(body);
  std::string refusal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    refusal = failed_ ? failure_ : std::string("callpathd is shutting down");
    if (!failed_ && !stopping_) {
      if (!pending_) {
        pending_ = std::make_shared<WalGroup>();
        pending_->first_lsn = next_lsn_;
        pending_->data.reserve(std::max<size_t>(1u << 20, 4 * (kWalHeaderBytes + body.size())));
      }
      uint64_t lsn = next_lsn_++;
      AppendWalRecord(&pending_->data, lsn, kind, received_ns, body, body_crc);
      pending_->last_lsn = lsn;
      if (attachment) pending_->items += attachment->items();
      pending_->attachments.push_back(std::move(attachment));
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
      while (failed_ && !stopping_) {
        // Appends are refused meanwhile, so nothing is queued.
        cv_.wait_for(lock, options_.heal_interval, [&] { return stopping_; });
        if (stopping_) break;
        Status healed = Heal();
        if (healed.ok()) {
          failed_ = false;
          failure_.clear();
          std::fprintf(stderr, "callpathd: ingest write-ahead log writable again; taking requests\n");
        }
      }
      cv_.wait(lock, [&] { return pending_ != nullptr || stopping_; });
      if (!pending_) return;  // stopping, nothing left
      group = std::move(pending_);
      pending_.reset();
      callbacks.swap(pending_callbacks_);
      Segment& cur = segments_.back();
      if (cur.bytes > 0 && cur.bytes + group->data.size() > options_.segment_bytes) {
        Status s = OpenSegment(group->first_lsn);
        if (!s.ok()) {
          std::vector<Durable> more = FailQueued(s, group->first_lsn);
          callbacks.insert(callbacks.end(), std::make_move_iterator(more.begin()),
                           std::make_move_iterator(more.end()));
          group.reset();
        }
      }
    }
    Status s = !group ? Unavailable(failure()) : WriteAll(fd_, group->data.data(), group->data.size());
    if (s.ok() && options_.sync && ::fdatasync(fd_) != 0) {
      s = Unavailable(std::string("ingest WAL sync: ") + std::strerror(errno));
    }
    if (group) {
      std::lock_guard<std::mutex> lock(mu_);
      if (s.ok()) {
        segments_.back().bytes += group->data.size();
      } else {
        std::vector<Durable> more = FailQueued(s, group->first_lsn);
        callbacks.insert(callbacks.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
      }
    }
    if (s.ok()) {
      std::string().swap(group->data);  // written: only the attachments are needed now
      consumer_(group);
    }
    for (auto& cb : callbacks) cb(s);
    callbacks.clear();
  }
}

std::vector<IngestWal::Durable> IngestWal::FailQueued(const Status& why, uint64_t first_unwritten) {
  if (!failed_) {
    std::fprintf(stderr, "callpathd: error: ingest write-ahead log cannot write (%s); refusing requests "
                 "until it can (probing every %lld ms)\n",
                 why.message().c_str(), static_cast<long long>(options_.heal_interval.count()));
  }
  failed_ = true;
  failure_ = "ingest write-ahead log cannot write: " + why.message();
  // Nothing from `first_unwritten` on reached the log: the numbers are
  // handed out again, so the log keeps no gap.
  next_lsn_ = first_unwritten;
  pending_.reset();
  std::vector<Durable> out;
  out.swap(pending_callbacks_);
  return out;
}

Status IngestWal::Heal() {
  // A failed write may have left part of a group behind the last good
  // record: cut it so the next record follows a good one.
  const uint64_t good = segments_.back().bytes;
  if (::ftruncate(fd_, static_cast<off_t>(good)) != 0 || ::lseek(fd_, static_cast<off_t>(good), SEEK_SET) < 0) {
    return Unavailable(std::string("cannot cut a failed write: ") + std::strerror(errno));
  }
  if (options_.heal_probe_bytes > 0) {
    int rc = ::posix_fallocate(fd_, static_cast<off_t>(good), static_cast<off_t>(options_.heal_probe_bytes));
    (void)::ftruncate(fd_, static_cast<off_t>(good));
    if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) return Unavailable(std::strerror(rc));
  }
  if (::fdatasync(fd_) != 0) return Unavailable(std::string("sync: ") + std::strerror(errno));
  return Status::Ok();
}

void IngestWal::DropThrough(uint64_t lsn) {
  std::vector<Segment> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Segment i holds lsns [first_i, first_{i+1}); never the open one
    // while records may still be appended to it.
    while (segments_.size() > 1 && segments_[1].first_lsn <= lsn + 1) {
      doomed.push_back(segments_.front());
      segments_.pop_front();
    }
    if (stopped_ && segments_.size() == 1 && lsn + 1 >= next_lsn_) {
      // Stopped and all covered: a clean restart finds nothing to read.
      doomed.push_back(segments_.front());
      segments_.pop_front();
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
    }
  }
  for (const auto& seg : doomed) {
    if (!seg.damaged) {
      (void)::unlink(seg.path.c_str());  // a leftover is replayed and skipped
      continue;
    }
    // Its good records are in the store now; the bad bytes are kept.
    Status s = QuarantineWalSegment(options_.dir, seg.path, recovery_.Lines());
    if (!s.ok()) std::fprintf(stderr, "callpathd: error: %s\n", s.ToString().c_str());
  }
}

uint64_t IngestWal::last_lsn() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_lsn_ - 1;
}

std::string IngestWal::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
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
