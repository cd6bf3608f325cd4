#include "daemon/ingest/wal_recovery.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace callpath::daemon {
namespace {

namespace fs = std::filesystem;

std::string FileName(const std::string& path) { return fs::path(path).filename().string(); }

// Lsns in [first, last] (last 0: open-ended) above `after_lsn`.
uint64_t LostAbove(uint64_t first, uint64_t last, uint64_t after_lsn) {
  if (first == 0) return 0;
  if (last == 0) return 1;  // at least the record the damage begins with
  uint64_t from = std::max(first, after_lsn + 1);
  return last >= from ? last - from + 1 : 0;
}

Status WriteFileSynced(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Unavailable("cannot create " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      Status s = Unavailable("cannot write " + path + ": " + std::strerror(errno));
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(w);
  }
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Unavailable("cannot sync " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

void SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string WalDamage::Describe() const {
  std::string out;
  if (torn_tail) {
    out = "torn tail of " + segment + ": " + std::to_string(end - begin) + " bytes at offset " +
          std::to_string(begin) + ", a write cut off by a crash, dropped (the bytes are kept in quarantine/)";
    return out;
  }
  if (segment.empty()) {
    out = "no segment holds";
  } else if (begin == end) {
    out = segment + ":";
  } else {
    out = segment + ": bytes " + std::to_string(begin) + ".." + std::to_string(end) + " (" +
          std::to_string(end - begin) + " bytes) unreadable;";
  }
  if (first_lsn == 0) {
    out += " no record lost";
  } else if (last_lsn == 0) {
    out += " records from lsn " + std::to_string(first_lsn) + " on missing (nothing follows)";
  } else {
    out += " lsn " + std::to_string(first_lsn) + ".." + std::to_string(last_lsn) + " missing";
  }
  if (first_lsn != 0) {
    out += lost == 0 ? ", already in the store: nothing lost"
                     : ", " + std::string(last_lsn == 0 ? "at least " : "") + std::to_string(lost) +
                           " acknowledged record(s) lost";
  }
  return out;
}

uint64_t WalRecoveryReport::lost_records() const {
  uint64_t n = 0;
  for (const auto& d : damage)
    if (!d.torn_tail) n += d.lost;
  return n;
}

uint64_t WalRecoveryReport::damaged_bytes() const {
  uint64_t n = 0;
  for (const auto& d : damage)
    if (!d.torn_tail) n += d.end - d.begin;
  return n;
}

uint64_t WalRecoveryReport::torn_tail_bytes() const {
  uint64_t n = 0;
  for (const auto& d : damage)
    if (d.torn_tail) n += d.end - d.begin;
  return n;
}

bool WalRecoveryReport::damaged() const {
  return std::any_of(damage.begin(), damage.end(), [](const WalDamage& d) { return !d.torn_tail; });
}

std::vector<std::string> WalRecoveryReport::Lines() const {
  std::vector<std::string> out;
  for (const auto& d : damage) out.push_back(d.Describe());
  return out;
}

std::string WalQuarantineDir(const std::string& wal_dir) { return wal_dir + "/quarantine"; }

Status QuarantineWalSegment(const std::string& wal_dir, const std::string& path,
                            const std::vector<std::string>& damage_lines) {
  const std::string qdir = WalQuarantineDir(wal_dir);
  std::error_code ec;
  fs::create_directories(qdir, ec);
  if (ec) return Unavailable("cannot create " + qdir + ": " + ec.message());
  const std::string name = FileName(path);
  std::string text;
  for (const auto& l : damage_lines) text += l + "\n";
  CALLPATH_RETURN_IF_ERROR(WriteFileSynced(qdir + "/" + name + ".damage", text));
  if (::rename(path.c_str(), (qdir + "/" + name).c_str()) != 0) {
    return Unavailable("cannot move " + path + " to " + qdir + ": " + std::strerror(errno));
  }
  SyncDir(qdir);
  SyncDir(wal_dir);
  return Status::Ok();
}

Status ReadWalDir(const std::string& dir, uint64_t after_lsn, const WalReadOptions& options,
                  const std::function<void(const WalRecord&)>& replay, WalRecoveryReport* report,
                  std::vector<WalSegmentFile>* segments) {
  std::error_code ec;
  std::vector<WalSegmentFile> found;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() != 24 || !name.ends_with(".wal") || !it->is_regular_file()) continue;
    char* end = nullptr;
    uint64_t first = std::strtoull(name.c_str(), &end, 10);
    if (end != name.c_str() + 20 || first == 0) continue;
    found.push_back(WalSegmentFile{first, it->path().string(), 0, false});
  }
  if (ec) return Unavailable("cannot list " + dir + ": " + ec.message());
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first_lsn < b.first_lsn; });

  // Every lsn after the store's position must be in some segment: the
  // oldest segment kept starts at or before after_lsn + 1.
  uint64_t expected = after_lsn + 1;
  std::string content;
  for (size_t i = 0; i < found.size(); ++i) {
    WalSegmentFile& seg = found[i];
    const bool newest = i + 1 == found.size();
    const uint64_t limit = newest ? 0 : found[i + 1].first_lsn;
    if (seg.first_lsn > expected) {
      // Whole segments gone (deleted, or never renamed back).
      report->damage.push_back(WalDamage{"", 0, 0, expected, seg.first_lsn - 1,
                                         LostAbove(expected, seg.first_lsn - 1, after_lsn), false});
    }
    expected = std::max(expected, seg.first_lsn);
    std::ifstream in(seg.path, std::ios::binary);
    if (!in) return Unavailable("cannot read " + seg.path + ": " + std::strerror(errno));
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return Unavailable("cannot read " + seg.path);
    ++report->segments;

    WalSegmentScan scan = ScanWalSegment(content, seg.first_lsn, limit, [&](const WalRecord& r) {
      ++report->records;
      if (r.lsn > after_lsn) {
        ++report->replayed;
        replay(r);
      } else if (options.covered) {
        options.covered(r);
      }
    });
    for (const WalSegmentScan::Range& range : scan.unreadable) {
      WalDamage d;
      d.segment = FileName(seg.path);
      d.begin = range.begin;
      d.end = range.end;
      // The lsns the stretch held: up to the next good record, else up to
      // the next segment; open-ended in the newest one.
      uint64_t upto = range.next_lsn != 0 ? range.next_lsn : limit;
      if (upto == 0) {
        d.first_lsn = range.expected_lsn;
      } else if (upto > range.expected_lsn) {
        d.first_lsn = range.expected_lsn;
        d.last_lsn = upto - 1;
      }
      d.lost = LostAbove(d.first_lsn, d.last_lsn, after_lsn);
      if (newest && range.end == content.size() && scan.tail_may_be_torn) d.torn_tail = true;
      if (!d.torn_tail) seg.damaged = true;
      report->damage.push_back(std::move(d));
    }
    seg.bytes = content.size();
    // Cut only from a segment that is otherwise whole: a damaged one is
    // kept as it is and moved to quarantine/ once replayed.
    if (newest && scan.ends_unreadable && report->damage.back().torn_tail && !seg.damaged &&
        options.cut_torn_tail) {
      const WalDamage& tail = report->damage.back();
      const std::string qdir = WalQuarantineDir(dir);
      fs::create_directories(qdir, ec);
      if (ec) return Unavailable("cannot create " + qdir + ": " + ec.message());
      CALLPATH_RETURN_IF_ERROR(WriteFileSynced(
          qdir + "/" + FileName(seg.path) + "." + std::to_string(tail.begin) + ".tail",
          std::string_view(content).substr(tail.begin)));
      if (::truncate(seg.path.c_str(), static_cast<off_t>(tail.begin)) != 0) {
        return Unavailable("cannot cut the torn tail of " + seg.path + ": " + std::strerror(errno));
      }
      seg.bytes = tail.begin;
    }
    seg.bytes = content.size();
    if (scan.last_lsn != 0) expected = scan.last_lsn + 1;
    if (scan.ends_unreadable && !newest) expected = std::max(expected, limit);  // reported with the range
  }
  if (segments) *segments = std::move(found);
  return Status::Ok();
}

}  // namespace callpath::daemon
