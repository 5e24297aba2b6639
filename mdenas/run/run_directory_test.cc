#include "mdenas/run/run_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/search_spec.pb.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  return JoinPath(std::getenv("TEST_TMPDIR"), name);
}

SearchSpec ThreeEpochs() {
  SearchSpec spec;
  spec.set_epochs(3);
  return spec;
}

TEST(RunDirectoryTest, CreatesWritesAndRefusesToOverwriteARun) {
  const std::string path = TempPath("runs/a/b");
  absl::StatusOr<RunDirectory> run = RunDirectory::Create(path, ThreeEpochs());
  ASSERT_TRUE(run.ok()) << run.status();
  // The spec with every value it resolves to.
  const std::string spec = *ReadFile(run->File(kSpecFile));
  EXPECT_THAT(spec, HasSubstr("epochs: 3\n"));
  EXPECT_THAT(spec, HasSubstr("batch_size: 512\n"));
  // Before its first checkpoint a run may start again in place.
  EXPECT_TRUE(RunDirectory::Create(path, ThreeEpochs()).ok());
  ASSERT_TRUE(run->WriteText(kCheckpointFile, "x").ok());
  RunResult result;
  result.set_wall_seconds(12.5);
  result.set_train_images(7);
  ASSERT_TRUE(run->WriteJson(kResultFile, result).ok());
  const std::string json = *ReadFile(run->File(kResultFile));
  EXPECT_THAT(json, HasSubstr("\"wall_seconds\": 12.5"));
  EXPECT_THAT(json, HasSubstr("\"train_images\": \"7\""));

  SearchSpec other;
  other.set_epochs(4);
  const absl::StatusOr<RunDirectory> again = RunDirectory::Create(path, other);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(again.status().message()),
              HasSubstr("continue it with --resume=" + path));
  EXPECT_EQ(*ReadFile(run->File(kSpecFile)), spec);
  EXPECT_EQ(*ReadFile(run->File(kCheckpointFile)), "x");
}

TEST(RunDirectoryTest, OpenNeedsACheckpoint) {
  const std::string path = TempPath("started");
  ASSERT_TRUE(RunDirectory::Create(path, ThreeEpochs()).ok());
  EXPECT_THAT(std::string(RunDirectory::Open(path).status().message()),
              HasSubstr("nothing to resume"));
  ASSERT_TRUE(WriteFileAtomically(JoinPath(path, kCheckpointFile), "x").ok());
  // A crash in the middle of a write leaves its temporary file behind.
  ASSERT_TRUE(WriteFileAtomically(JoinPath(path, "checkpoint.bin.tmp.123"), "half").ok());
  EXPECT_TRUE(RunDirectory::Open(path).ok());
  EXPECT_THAT(*ListDirectory(path), ::testing::UnorderedElementsAre(kCheckpointFile, kSpecFile));
  EXPECT_THAT(std::string(RunDirectory::Open(TempPath("nope")).status().message()),
              HasSubstr("no such run directory"));
}

TEST(RunDirectoryTest, UnwritableLocationsFailAtCreation) {
  if (::geteuid() == 0) {
    // Root writes anywhere; a path under a plain file fails for everyone.
    ASSERT_TRUE(WriteFileAtomically(TempPath("file"), "x").ok());
    EXPECT_FALSE(RunDirectory::Create(TempPath("file/run"), ThreeEpochs()).ok());
    return;
  }
  const std::string locked = TempPath("locked");
  ASSERT_TRUE(MakeDirectories(locked).ok());
  ASSERT_EQ(::chmod(locked.c_str(), 0500), 0);
  const absl::StatusOr<RunDirectory> run =
      RunDirectory::Create(JoinPath(locked, "run"), ThreeEpochs());
  EXPECT_FALSE(run.ok());
  EXPECT_THAT(std::string(run.status().message()), HasSubstr(locked));
}

TEST(RunDirectoryTest, CheckCreatableCreatesNothing) {
  const std::string path = TempPath("not/yet/there");
  EXPECT_TRUE(RunDirectory::CheckCreatable(path).ok());
  EXPECT_FALSE(PathExists(TempPath("not")));
  ASSERT_TRUE(WriteFileAtomically(TempPath("plain"), "x").ok());
  EXPECT_THAT(
      std::string(RunDirectory::CheckCreatable(TempPath("plain/run")).message()),
      HasSubstr("is not a directory"));
}

TEST(RunDirectoryTest, DefaultPathIsATimestampUnderRuns) {
  ::setenv("BUILD_WORKING_DIRECTORY", "/home/u/project", 1);
  const std::string path = RunDirectory::DefaultPath();
  ::unsetenv("BUILD_WORKING_DIRECTORY");
  EXPECT_THAT(path, ::testing::StartsWith("/home/u/project/runs/20"));
  EXPECT_EQ(path.size(), std::string("/home/u/project/runs/").size() + 15);
}

}  // namespace
}  // namespace mdenas
