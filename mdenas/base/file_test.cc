#include "mdenas/base/file.h"

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TestDir() { return std::getenv("TEST_TMPDIR"); }

TEST(FileTest, WriteThenReadRoundTrips) {
  const std::string path = JoinPath(TestDir(), "round_trip.bin");
  const std::string contents("binary\0data\n", 12);
  ASSERT_TRUE(WriteFileAtomically(path, contents).ok());
  const absl::StatusOr<std::string> read = ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, contents);
}

TEST(FileTest, AtomicWriteReplacesAndLeavesNoTemporary) {
  const std::string dir = JoinPath(TestDir(), "replace");
  ASSERT_TRUE(MakeDirectories(dir).ok());
  const std::string path = JoinPath(dir, "file.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "new contents").ok());
  EXPECT_EQ(*ReadFile(path), "new contents");
  EXPECT_THAT(*ListDirectory(dir), ElementsAre("file.txt"));
}

TEST(FileTest, AppendKeepsTheFileAndAddsToIt) {
  const std::string path = JoinPath(TestDir(), "append.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(AppendToFile(path, ", second").ok());
  EXPECT_EQ(*ReadFile(path), "first, second");
  const absl::Status missing = AppendToFile(JoinPath(TestDir(), "absent.txt"), "x");
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.message()), HasSubstr("absent.txt"));
}

TEST(FileTest, FailedWriteKeepsTheOldFile) {
  const std::string dir = JoinPath(TestDir(), "keep");
  ASSERT_TRUE(MakeDirectories(dir).ok());
  const std::string path = JoinPath(dir, "file.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "precious").ok());
  // A directory where the temporary file would go makes the write fail.
  const std::string blocker = path + ".tmp." + std::to_string(::getpid());
  ASSERT_TRUE(MakeDirectories(blocker).ok());
  const absl::Status status = WriteFileAtomically(path, "replacement");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr(blocker));
  EXPECT_EQ(*ReadFile(path), "precious");
}

TEST(FileTest, ReadMissingFileNamesThePath) {
  const std::string path = JoinPath(TestDir(), "does_not_exist");
  const absl::StatusOr<std::string> read = ReadFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr(path));
}

TEST(FileTest, ReadDirectoryIsAnError) {
  const absl::StatusOr<std::string> read = ReadFile(TestDir());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("is a directory"));
}

TEST(FileTest, MakeDirectoriesCreatesParentsAndRejectsFiles) {
  const std::string nested = JoinPath(TestDir(), "a/b/c");
  ASSERT_TRUE(MakeDirectories(nested).ok());
  EXPECT_TRUE(IsDirectory(nested));
  const std::string file = JoinPath(TestDir(), "plain_file");
  ASSERT_TRUE(WriteFileAtomically(file, "x").ok());
  const absl::Status status = MakeDirectories(JoinPath(file, "child"));
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr(file));
}

TEST(FileTest, JoinPath) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a", "/abs"), "/abs");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
}

TEST(FileTest, UserPathResolvesAgainstTheBazelRunDirectory) {
  ::setenv("BUILD_WORKING_DIRECTORY", "/home/user/project", 1);
  EXPECT_EQ(UserPath("runs/x"), "/home/user/project/runs/x");
  EXPECT_EQ(UserPath("/abs/path"), "/abs/path");
  ::unsetenv("BUILD_WORKING_DIRECTORY");
  EXPECT_EQ(UserPath("runs/x"), "runs/x");
}

}  // namespace
}  // namespace mdenas
