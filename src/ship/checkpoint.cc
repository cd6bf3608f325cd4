#include "ship/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace callpath::ship {
namespace {

constexpr std::string_view kHeader = "callpath-ship checkpoint v2";
// v1 lacks the two fields of the batch in flight (before the path).
constexpr std::string_view kHeaderV1 = "callpath-ship checkpoint v1";

Status Errno(std::string_view what, const std::string& path) {
  return Internal(std::string(what) + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

uint64_t FingerprintHash(std::string_view bytes) noexcept {
  uint64_t h = 1469598103934665603ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

Fingerprint ReadFingerprint(int fd, uint64_t size) {
  char buf[kFingerprintBytes];
  size_t want = size < kFingerprintBytes ? static_cast<size_t>(size) : kFingerprintBytes;
  ssize_t n = ::pread(fd, buf, want, 0);
  if (n <= 0) return {};
  return Fingerprint{static_cast<uint32_t>(n), FingerprintHash(std::string_view(buf, static_cast<size_t>(n)))};
}

bool FingerprintStillMatches(int fd, const Fingerprint& fp) {
  if (fp.length == 0) return true;
  char buf[kFingerprintBytes];
  ssize_t n = ::pread(fd, buf, fp.length, 0);
  return n == static_cast<ssize_t>(fp.length) && FingerprintHash(std::string_view(buf, fp.length)) == fp.hash;
}

Result<std::vector<CheckpointEntry>> LoadCheckpoint(const std::string& dir) {
  std::string path = dir + "/checkpoint";
  std::ifstream in(path);
  std::vector<CheckpointEntry> entries;
  if (!in) return entries;
  std::string line;
  if (!std::getline(in, line) || (line != kHeader && line != kHeaderV1))
    return DataLoss(path + ": not a callpath-ship checkpoint");
  const bool v1 = line == kHeaderV1;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    CheckpointEntry e;
    unsigned long long dev, ino, hash, offset, sent_until = 0, sent_observed = 0;
    unsigned len, retired;
    int consumed = 0;
    const bool parsed =
        v1 ? std::sscanf(line.c_str(), "%llu %llu %u %llx %llu %u %n", &dev, &ino, &len, &hash, &offset, &retired,
                         &consumed) == 6
           : std::sscanf(line.c_str(), "%llu %llu %u %llx %llu %u %llu %llu %n", &dev, &ino, &len, &hash, &offset,
                         &retired, &sent_until, &sent_observed, &consumed) == 8;
    if (!parsed || len > kFingerprintBytes || retired > 1) return DataLoss(path + ": malformed entry '" + line + "'");
    e.sent_until = sent_until;
    e.sent_observed_ns = sent_observed;
    e.dev = dev;
    e.ino = ino;
    e.fingerprint = {len, hash};
    e.offset = offset;
    e.retired = retired == 1;
    e.path = line.substr(static_cast<size_t>(consumed));
    entries.push_back(std::move(e));
  }
  return entries;
}

Status SaveCheckpoint(const std::string& dir, const std::vector<CheckpointEntry>& entries) {
  std::ostringstream text;
  text << kHeader << '\n';
  for (const CheckpointEntry& e : entries) {
    char head[200];
    std::snprintf(head, sizeof head, "%" PRIu64 " %" PRIu64 " %u %" PRIx64 " %" PRIu64 " %d %" PRIu64 " %" PRIu64 " ",
                  e.dev, e.ino, e.fingerprint.length, e.fingerprint.hash, e.offset, e.retired ? 1 : 0, e.sent_until,
                  e.sent_observed_ns);
    text << head << e.path << '\n';
  }
  const std::string final_path = dir + "/checkpoint";
  const std::string tmp_path = final_path + ".tmp";
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", tmp_path);
  Status s = WriteAll(fd, text.str(), tmp_path);
  if (s.ok() && ::fsync(fd) != 0) s = Errno("fsync", tmp_path);
  ::close(fd);
  if (!s.ok()) return s;
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) return Errno("rename", tmp_path);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("open", dir);
  int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return Errno("fsync", dir);
  return Status::Ok();
}

}  // namespace callpath::ship
