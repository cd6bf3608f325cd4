#include "ship/checkpoint.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace callpath::ship {
namespace {

std::string TempDir() {
  std::string dir = ::testing::TempDir() + "ship_ckpt_" + std::to_string(::getpid()) + "_" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Checkpoint, RoundTripsEntriesIncludingPathsWithSpaces) {
  std::string dir = TempDir();
  std::vector<CheckpointEntry> entries = {
      {64769, 123, {1024, 0xdeadbeefcafef00dULL}, 4096, false, 8192, 1'700'000'000'123'456'789ULL,
       "/var/log/my app/app.log"},
      {64769, 124, {80, 42}, 17, true, 0, 0, ""}};
  ASSERT_TRUE(SaveCheckpoint(dir, entries).ok());
  auto loaded = LoadCheckpoint(dir);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, entries);
  EXPECT_FALSE(std::filesystem::exists(dir + "/checkpoint.tmp"));
}

TEST(Checkpoint, VersionOneFilesLoadWithNoBatchInFlight) {
  std::string dir = TempDir();
  std::ofstream(dir + "/checkpoint") << "callpath-ship checkpoint v1\n64769 123 1024 ff 4096 0 /var/log/a b.log\n";
  auto loaded = LoadCheckpoint(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  std::vector<CheckpointEntry> expected = {{64769, 123, {1024, 0xff}, 4096, false, 0, 0, "/var/log/a b.log"}};
  EXPECT_EQ(*loaded, expected);
}

TEST(Checkpoint, MissingFileIsEmpty) {
  auto loaded = LoadCheckpoint(TempDir());
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->empty());
}

TEST(Checkpoint, MalformedFilesAreDataLoss) {
  std::string dir = TempDir();
  std::ofstream(dir + "/checkpoint") << "something else\n";
  EXPECT_EQ(LoadCheckpoint(dir).status().code(), StatusCode::kDataLoss);
  std::ofstream(dir + "/checkpoint") << "callpath-ship checkpoint v1\n1 2 banana\n";
  EXPECT_EQ(LoadCheckpoint(dir).status().code(), StatusCode::kDataLoss);
  std::ofstream(dir + "/checkpoint") << "callpath-ship checkpoint v1\n1 2 99999 ff 3 0 /x\n";
  EXPECT_EQ(LoadCheckpoint(dir).status().code(), StatusCode::kDataLoss);
  std::ofstream(dir + "/checkpoint") << "callpath-ship checkpoint v2\n1 2 10 ff 3 0 /x\n";  // v1 fields under v2
  EXPECT_EQ(LoadCheckpoint(dir).status().code(), StatusCode::kDataLoss);
}

TEST(Checkpoint, SavingIntoAMissingDirectoryFails) {
  EXPECT_FALSE(SaveCheckpoint("/nonexistent/dir/for/sure", {}).ok());
}

TEST(Fingerprint, HashesTheFirstBytesAndNoticesChanges) {
  std::string dir = TempDir();
  std::string path = dir + "/f";
  std::ofstream(path) << std::string(2000, 'a');
  int fd = ::open(path.c_str(), O_RDONLY);
  Fingerprint fp = ReadFingerprint(fd, 2000);
  EXPECT_EQ(fp.length, kFingerprintBytes);
  EXPECT_TRUE(FingerprintStillMatches(fd, fp));
  std::ofstream(path) << "b" << std::string(1999, 'a');
  EXPECT_FALSE(FingerprintStillMatches(fd, fp));
  ::close(fd);
}

}  // namespace
}  // namespace callpath::ship
