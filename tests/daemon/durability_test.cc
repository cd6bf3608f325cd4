// callpathd with its data damaged on purpose, and on a disk that fills up:
// acknowledged data is readable afterwards or reported lost, never silently
// gone; a full disk, once space is freed, recovers without a restart.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "daemon/daemon_harness.h"
#include "daemon/ingest/testing/damage.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

namespace fs = std::filesystem;
using daemon::testing::FlipBytes;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs callpathd with `args` (a short-lived command, bounded by timeout(1)).
CommandResult RunCallpathd(const std::string& args) {
  CommandResult r;
  std::string cmd = "timeout 60 " + std::string(CALLPATH_BIN_DIR) + "/callpathd " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

HttpResult PostTraces(uint16_t port, const std::string& body) {
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  return HttpCall(port, "POST", "/v1/traces", body, o);
}

// Sends `n` traces of 3 spans, one request each; returns the ids of those
// acknowledged.
std::vector<std::string> SendTraces(uint16_t port, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> acked;
  for (int i = 0; i < n; ++i) {
    std::string id = RandomBytes(rng, 16);
    auto body = MakeTraceRequest(id, 3, "durable-svc", NowNs(), rng).SerializeAsString();
    if (PostTraces(port, body).status == 200) acked.push_back(Hex(id));
  }
  return acked;
}

size_t Readable(uint16_t query_port, const std::vector<std::string>& ids) {
  size_t n = 0;
  for (const auto& id : ids) n += HttpCall(query_port, "GET", "/api/v1/traces/" + id).status == 200;
  return n;
}

uint64_t MetricValue(const std::string& metrics, const std::string& name) {
  size_t at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return UINT64_MAX;
  return std::strtoull(metrics.c_str() + at + name.size() + 2, nullptr, 10);
}

std::vector<std::string> FilesIn(const std::string& dir, const std::string& prefix, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(suffix) && fs::file_size(e.path()) > 0) {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DaemonDurability, DamagedWalLosesOnlyTheHitRecordsAndSaysSoEverywhere) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  DaemonProcess d;
  ASSERT_TRUE(d.Start(data)) << d.error();
  std::vector<std::string> acked = SendTraces(d.otlp_http_port(), 40, 7);
  ASSERT_EQ(acked.size(), 40u);
  d.Kill();  // the records stay in the WAL

  std::vector<std::string> segments = FilesIn(data + "/ingest-wal", "", ".wal");
  ASSERT_EQ(segments.size(), 1u);
  const uint64_t size = fs::file_size(segments[0]);
  FlipBytes(segments[0], 2, 4);         // the first record
  FlipBytes(segments[0], size / 2, 8);  // one in the middle

  CommandResult check = RunCallpathd("check --data-dir " + data);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find("2 acknowledged record(s) lost"), std::string::npos) << check.output;

  DaemonProcess again;
  ASSERT_TRUE(again.Start(data)) << again.error();
  EXPECT_EQ(Readable(again.query_port(), acked), acked.size() - 2) << "only the two damaged records are gone";
  HttpResult metrics = HttpCall(again.query_port(), "GET", "/metrics");
  EXPECT_EQ(MetricValue(metrics.body, "callpathd_wal_lost_records"), 2u) << metrics.body;
  EXPECT_EQ(MetricValue(metrics.body, "callpathd_wal_damaged_ranges"), 2u);
  HttpResult ready = HttpCall(again.query_port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_NE(ready.body.find("wal damage at start"), std::string::npos) << ready.body;
  EXPECT_EQ(again.Stop(), 0);
  // The damaged segment is kept aside, not deleted.
  EXPECT_TRUE(fs::exists(data + "/ingest-wal/quarantine/" + fs::path(segments[0]).filename().string()));
}

TEST(DaemonDurability, DamagedManifestOrTableRefusesToStartUntilRepaired) {
  for (const std::string kind : {"MANIFEST-", ".sst"}) {
    SCOPED_TRACE(kind);
    TempDir dir;
    const std::string data = dir.path() + "/data";
    DaemonProcess d;
    ASSERT_TRUE(d.Start(data)) << d.error();
    std::vector<std::string> acked = SendTraces(d.otlp_http_port(), 30, 11);
    ASSERT_EQ(d.Stop(), 0);  // flushed: the traces are in table files now

    std::vector<std::string> files =
        kind == ".sst" ? FilesIn(data, "", ".sst") : FilesIn(data, "MANIFEST-", "");
    ASSERT_FALSE(files.empty());
    const std::string victim = files.back();
    const uint64_t size = fs::file_size(victim);
    FlipBytes(victim, size / 2, 8);

    CommandResult start = RunCallpathd("--data-dir " + data +
                                       " --otlp-http-listen 127.0.0.1:0 --otlp-grpc-listen '' --query-listen ''");
    EXPECT_NE(start.exit_code, 0) << start.output;
    EXPECT_NE(start.output.find("damaged"), std::string::npos) << start.output;
    EXPECT_NE(start.output.find("callpathd repair --data-dir"), std::string::npos) << start.output;
    CommandResult check = RunCallpathd("check --data-dir " + data);
    EXPECT_EQ(check.exit_code, 1) << check.output;

    CommandResult repair = RunCallpathd("repair --data-dir " + data);
    ASSERT_EQ(repair.exit_code, 0) << repair.output;
    DaemonProcess again;
    ASSERT_TRUE(again.Start(data)) << again.error();
    size_t readable = Readable(again.query_port(), acked);
    if (kind == "MANIFEST-") {
      EXPECT_EQ(readable, acked.size()) << "the table files are intact: repair finds every trace";
    }
    EXPECT_EQ(again.Stop(), 0);
  }
}

// A small tmpfs of our own; needs root (CI has it).
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& dir, uint64_t bytes) : dir_(dir) {
    fs::create_directories(dir);
    std::string opts = "size=" + std::to_string(bytes);
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) (void)::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

TEST(DaemonDurability, AFullDiskRecoversWithoutARestartOnceSpaceIsFreed) {
  TempDir dir;
  SmallDisk disk(dir.path() + "/disk", 48ull << 20);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  const std::string data = dir.path() + "/disk/data";
  DaemonProcess d;
  ASSERT_TRUE(d.Start(data, {"--max-body-bytes", "4194304"})) << d.error();
  std::vector<std::string> before = SendTraces(d.otlp_http_port(), 10, 21);
  ASSERT_EQ(before.size(), 10u);

  // Fill what is left.
  const std::string filler = dir.path() + "/disk/filler";
  {
    std::ofstream f(filler, std::ios::binary);
    std::string mb(1 << 20, 'f');
    while (f.write(mb.data(), static_cast<std::streamsize>(mb.size()))) {
    }
  }
  std::mt19937_64 rng(5);
  HttpResult refused;
  for (int i = 0; i < 200 && refused.status != 503; ++i) {
    refused = PostTraces(d.otlp_http_port(),
                         MakeTraceRequest(RandomBytes(rng, 16), 50, "durable-svc", NowNs(), rng).SerializeAsString());
  }
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_NE(refused.body.find("write-ahead log"), std::string::npos) << refused.body;
  EXPECT_EQ(HttpCall(d.query_port(), "GET", "/readyz").status, 503);
  // Queries still answer, with everything acknowledged before.
  EXPECT_EQ(Readable(d.query_port(), before), before.size());

  fs::remove(filler);
  // Ingest resumes by itself (the daemon probes every second).
  std::vector<std::string> after;
  for (int i = 0; i < 300 && after.empty(); ++i) {
    after = SendTraces(d.otlp_http_port(), 1, 100 + i);
    if (after.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(after.size(), 1u) << "ingest did not resume after space was freed";
  std::vector<std::string> more = SendTraces(d.otlp_http_port(), 10, 31);
  EXPECT_EQ(more.size(), 10u);
  EXPECT_EQ(Readable(d.query_port(), more), more.size());
  EXPECT_EQ(Readable(d.query_port(), before), before.size());
  EXPECT_EQ(HttpCall(d.query_port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(d.Stop(), 0) << "a clean stop after the disk was full";

  DaemonProcess again;
  ASSERT_TRUE(again.Start(data)) << again.error();
  EXPECT_EQ(Readable(again.query_port(), more), more.size());
  EXPECT_EQ(again.Stop(), 0);
}

// Stopping while the disk is still full: the store's flush fails, but the
// daemon exits normally (no abort) and the next start has everything.
TEST(DaemonDurability, AStopOnAFullDiskExitsWithoutAbortAndLosesNothing) {
  TempDir dir;
  SmallDisk disk(dir.path() + "/disk", 48ull << 20);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  const std::string data = dir.path() + "/disk/data";
  DaemonProcess d;
  ASSERT_TRUE(d.Start(data)) << d.error();
  std::vector<std::string> acked = SendTraces(d.otlp_http_port(), 200, 41);
  ASSERT_EQ(acked.size(), 200u);
  const std::string filler = dir.path() + "/disk/filler";
  {
    std::ofstream f(filler, std::ios::binary);
    std::string mb(1 << 20, 'f');
    while (f.write(mb.data(), static_cast<std::streamsize>(mb.size()))) {
    }
    std::string kb(1024, 'f');
    while (f.write(kb.data(), static_cast<std::streamsize>(kb.size()))) {
    }
  }
  int status = d.Stop();
  EXPECT_LT(status, 128) << "killed by signal " << status - 128;
  fs::remove(filler);
  DaemonProcess again;
  ASSERT_TRUE(again.Start(data)) << again.error();
  EXPECT_EQ(Readable(again.query_port(), acked), acked.size());
  EXPECT_EQ(again.Stop(), 0);
}

}  // namespace
}  // namespace callpath::testing
