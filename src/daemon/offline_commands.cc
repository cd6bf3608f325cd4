#include "daemon/offline_commands.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "daemon/auth/key_command.h"
#include "daemon/ingest/wal_recovery.h"
#include "store/rocksdb/rocksdb_store.h"

namespace callpath::daemon {
namespace {

namespace fs = std::filesystem;

const char kUsage[] =
    "usage: callpathd check --data-dir DIR    verify a stopped daemon's store and ingest WAL\n"
    "       callpathd repair --data-dir DIR   rebuild a damaged store from its intact table files\n";

bool DataDirArg(int argc, const char* const* argv, std::string* dir) {
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--data-dir" && i + 1 < argc) {
      *dir = argv[++i];
    } else if (a.starts_with("--data-dir=")) {
      *dir = std::string(a.substr(11));
    } else {
      return false;
    }
  }
  return !dir->empty();
}

int Check(const std::string& dir) {
  bool damaged = false;
  uint64_t position = 0;
  auto store = store::CheckRocksDbStore(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
    return 2;
  }
  position = store->ingest_position;
  std::printf("store %s: %llu table files, ingest position %llu (last checkpoint %llu)\n", dir.c_str(),
              static_cast<unsigned long long>(store->table_files), static_cast<unsigned long long>(position),
              static_cast<unsigned long long>(store->checkpoint_position));
  for (const auto& p : store->problems) std::printf("DAMAGE store: %s\n", p.c_str());
  damaged |= !store->problems.empty();

  const std::string wal_dir = dir + "/ingest-wal";
  if (fs::exists(wal_dir)) {
    WalRecoveryReport report;
    WalReadOptions read_only;
    read_only.cut_torn_tail = false;
    Status s = ReadWalDir(wal_dir, position, read_only, [](const WalRecord&) {}, &report, nullptr);
    if (!s.ok()) {
      std::printf("DAMAGE ingest WAL: %s\n", s.ToString().c_str());
      damaged = true;
    } else {
      std::printf("ingest WAL: %llu segments, %llu good records, %llu not yet in the store\n",
                  static_cast<unsigned long long>(report.segments), static_cast<unsigned long long>(report.records),
                  static_cast<unsigned long long>(report.replayed));
      for (const auto& d : report.damage) {
        std::printf("%s ingest WAL: %s\n", d.torn_tail ? "torn tail" : "DAMAGE", d.Describe().c_str());
      }
      if (report.damaged()) {
        std::printf("ingest WAL: %llu unreadable bytes, %llu acknowledged record(s) lost\n",
                    static_cast<unsigned long long>(report.damaged_bytes()),
                    static_cast<unsigned long long>(report.lost_records()));
        damaged = true;
      }
    }
    std::error_code ec;
    size_t kept = 0;
    for (auto it = fs::directory_iterator(WalQuarantineDir(wal_dir), ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      ++kept;
    }
    if (kept > 0) {
      std::printf("ingest WAL: %zu file(s) in %s from damage reported at earlier starts\n", kept,
                  WalQuarantineDir(wal_dir).c_str());
    }
  }
  std::printf(damaged ? "DAMAGED\n" : "OK\n");
  return damaged ? 1 : 0;
}

int Repair(const std::string& dir) {
  Status s = store::RepairRocksDbStore(dir);
  if (!s.ok()) {
    std::fprintf(stderr, "callpathd repair: %s\n", s.ToString().c_str());
    return 1;
  }
  auto after = store::CheckRocksDbStore(dir);
  if (after.ok()) {
    std::printf("store %s repaired: %llu table files, ingest position %llu\n", dir.c_str(),
                static_cast<unsigned long long>(after->table_files),
                static_cast<unsigned long long>(after->ingest_position));
    for (const auto& p : after->problems) std::printf("still damaged: %s\n", p.c_str());
    if (!after->problems.empty()) return 1;
  }
  std::printf("the next start replays the ingest WAL onto it and reports any acknowledged record that is gone\n");
  return 0;
}

}  // namespace

bool RunOfflineCommand(int argc, const char* const* argv, int* exit_code) {
  if (argc < 2) return false;
  std::string_view cmd = argv[1];
  if (cmd == "key") {
    *exit_code = auth::RunKeyCommand(argc, argv);
    return true;
  }
  if (cmd != "check" && cmd != "repair") return false;
  std::string dir;
  if (!DataDirArg(argc, argv, &dir)) {
    std::fputs(kUsage, stderr);
    *exit_code = 2;
    return true;
  }
  *exit_code = cmd == "check" ? Check(dir) : Repair(dir);
  return true;
}

}  // namespace callpath::daemon
