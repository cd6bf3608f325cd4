// Damage: the read-only look before Open, the offline check and repair,
// the checkpoint record, and resuming after a background error.
//
// RocksDB keeps which table files make up the store in its MANIFEST. A
// damaged MANIFEST may still read as a shorter, valid one; opening it
// read-write would then delete the newest table files as unreferenced and
// the store would start with less data and no error. So the store records
// the ingest position of every checkpoint in its own small file, and
// before opening read-write it opens read-only (which deletes nothing) and
// compares.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "store/encoding.h"
#include "store/rocksdb/rocksdb_store_impl.h"

namespace callpath::store {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCheckpointFile = "CALLPATH-CHECKPOINT";

// The position recorded by the last checkpoint; 0 when none is.
uint64_t ReadCheckpointFile(const std::string& dir) {
  std::ifstream in(dir + "/" + kCheckpointFile);
  uint64_t pos = 0;
  if (!(in >> pos)) return 0;
  return pos;
}

std::string RepairHint(const std::string& path) {
  return "callpathd will not start on it (data would be missing without a word). `callpathd check --data-dir " +
         path + "` lists the damage; `callpathd repair --data-dir " + path +
         "` rebuilds the store from the table files that are intact (what damaged files held is lost)";
}

struct ReadOnlyDb {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ~ReadOnlyDb() {
    if (db == nullptr) return;
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    (void)db->Close();
    delete db;
  }
};

bool IsDamage(const rocksdb::Status& s) { return s.IsCorruption() || s.IsIOError() || s.IsNotFound(); }

}  // namespace

Status WriteStoreCheckpointFile(const std::string& dir, uint64_t position) {
  const std::string path = dir + "/" + kCheckpointFile, tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
  const std::string text = std::to_string(position) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return Unavailable("cannot write " + tmp + ": " + std::strerror(err));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Unavailable("cannot rename " + tmp + ": " + std::strerror(errno));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status RocksDbStore::Resume() {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  return FromRocks(db_->Resume(), "resume");
}

void RocksDbStore::Inspect(const rocksdb::DBOptions& db_opts, const std::vector<rocksdb::ColumnFamilyDescriptor>& cfs,
                           bool verify_tables, StoreCheckReport* report) {
  const std::string& path = options_.path;
  if (!fs::exists(path + "/CURRENT")) return;  // a new store
  ReadOnlyDb ro;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(db_opts, path, cfs, &ro.handles, &ro.db);
  if (!s.ok()) {
    ro.db = nullptr;
    // A column family missing (an older store) is not damage: the
    // read-write open creates it.
    if (IsDamage(s)) report->problems.push_back("RocksDB cannot open it: " + s.ToString());
    return;
  }
  std::vector<rocksdb::LiveFileMetaData> files;
  ro.db->GetLiveFilesMetaData(&files);
  report->table_files = files.size();
  for (const auto& f : files) {
    if (!fs::exists(f.db_path + "/" + f.name)) report->problems.push_back("table file " + f.name + " is missing");
  }
  rocksdb::ColumnFamilyHandle* meta = ro.handles[kMeta];
  std::string v;
  s = ro.db->Get({}, meta, kIngestPositionKey, &v);
  if (s.ok() && v.size() == 8) {
    report->ingest_position = enc::ReadBigEndian64(v.data());
  } else if (s.ok()) {
    report->problems.push_back("its ingest position record is malformed");
  } else if (!s.IsNotFound()) {
    report->problems.push_back("cannot read its ingest position: " + s.ToString());
  }
  for (const char* key : {"bucket_seconds", "format"}) {
    s = ro.db->Get({}, meta, key, &v);
    if (s.IsNotFound()) {
      report->problems.push_back(std::string("its '") + key + "' record is missing");
    } else if (!s.ok()) {
      report->problems.push_back(std::string("cannot read its '") + key + "' record: " + s.ToString());
    } else if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) {
      report->problems.push_back(std::string("its '") + key + "' record is malformed: '" + v + "'");
    }
  }
  report->checkpoint_position = ReadCheckpointFile(path);
  if (report->checkpoint_position > report->ingest_position) {
    report->problems.push_back(
        "it holds writes up to ingest position " + std::to_string(report->ingest_position) +
        " but its last checkpoint made position " + std::to_string(report->checkpoint_position) +
        " durable: table files or their record in the MANIFEST are lost");
  }
  if (verify_tables) {
    s = ro.db->VerifyChecksum();
    if (!s.ok()) report->problems.push_back("a table file is damaged: " + s.ToString());
  }
}

Status RocksDbStore::CheckBeforeOpen(const rocksdb::DBOptions& db_opts,
                                     const std::vector<rocksdb::ColumnFamilyDescriptor>& cfs) {
  StoreCheckReport report;
  Inspect(db_opts, cfs, options_.verify_tables_on_open, &report);
  if (report.problems.empty()) return Status::Ok();
  std::string msg = "store " + options_.path + " is damaged: ";
  for (size_t i = 0; i < report.problems.size(); ++i) msg += (i ? "; " : "") + report.problems[i];
  return DataLoss(msg + ". " + RepairHint(options_.path));
}

Result<StoreCheckReport> RocksDbStore::Check(const std::string& path) {
  if (!fs::exists(path + "/CURRENT")) return NotFound("no store in " + path);
  RocksDbOptions options;
  options.path = path;
  std::unique_ptr<RocksDbStore> store(new RocksDbStore(options));
  rocksdb::DBOptions db_opts;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  store->MakeOptions(&db_opts, &cfs);
  StoreCheckReport report;
  store->Inspect(db_opts, cfs, true, &report);
  return report;
}

Status RocksDbStore::Repair(const std::string& path) {
  if (!fs::exists(path + "/CURRENT") && !fs::exists(path)) return NotFound("no store in " + path);
  RocksDbOptions options;
  options.path = path;
  std::unique_ptr<RocksDbStore> store(new RocksDbStore(options));
  rocksdb::DBOptions db_opts;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  store->MakeOptions(&db_opts, &cfs);
  rocksdb::Status s = rocksdb::RepairDB(path, db_opts, cfs);
  if (!s.ok()) return FromRocks(s, "repair " + path);
  // What survived is now the store: its position is the new baseline.
  StoreCheckReport report;
  store->Inspect(db_opts, cfs, false, &report);
  CALLPATH_RETURN_IF_ERROR(WriteStoreCheckpointFile(path, report.ingest_position));
  return Status::Ok();
}

Result<StoreCheckReport> CheckRocksDbStore(const std::string& path) { return RocksDbStore::Check(path); }
Status RepairRocksDbStore(const std::string& path) { return RocksDbStore::Repair(path); }

}  // namespace callpath::store
