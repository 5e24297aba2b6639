#include "mdenas/run/checkpoint.h"

#include <cstdlib>
#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/framed_file.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(const absl::StatusOr<Checkpoint>& checkpoint) {
  return std::string(checkpoint.status().message());
}

SearchSpec FourEpochs() {
  SearchSpec spec;
  spec.set_epochs(4);
  spec.mutable_runtime()->set_output_dir("/where/it/ran");
  return spec;
}

// A search's checkpoint after one epoch.
Checkpoint SearchCheckpoint() {
  Checkpoint checkpoint;
  checkpoint.mutable_training()->set_epochs_done(1);
  *checkpoint.mutable_search()->mutable_spec() = FourEpochs();
  return checkpoint;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = JoinPath(std::getenv("TEST_TMPDIR"),
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    run_.emplace(*RunDirectory::Create(dir, FourEpochs()));
    ASSERT_TRUE(WriteCheckpoint(*run_, SearchCheckpoint()).ok());
  }
  std::string path() const { return run_->File(kCheckpointFile); }

  std::optional<RunDirectory> run_;
};

TEST_F(CheckpointTest, RoundTripsWithItsJobAndSpec) {
  const absl::StatusOr<Checkpoint> read = ReadCheckpointOf(*run_, "search", nullptr);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->training().epochs_done(), 1);
  EXPECT_EQ(CheckpointSpec(*read)->SerializeAsString(), FourEpochs().SerializeAsString());
  EXPECT_EQ(CheckpointSpec(Checkpoint()), nullptr);
}

// The spec must be the run's, but the run may have moved.
TEST_F(CheckpointTest, RefusesAnotherSpecButNotAnotherOutputDirectory) {
  SearchSpec other = FourEpochs();
  other.set_epochs(5);
  EXPECT_THAT(ErrorOf(ReadCheckpointOf(*run_, "search", &other)),
              HasSubstr(path() + ": the checkpoint belongs to another spec"));
  SearchSpec moved = FourEpochs();
  moved.mutable_runtime()->set_output_dir("/elsewhere");
  EXPECT_TRUE(ReadCheckpointOf(*run_, "search", &moved).ok());
}

TEST_F(CheckpointTest, RefusesAnotherKindOfJob) {
  EXPECT_THAT(ErrorOf(ReadCheckpointOf(*run_, "retraining", nullptr)),
              HasSubstr(path() + ": the checkpoint holds a search, not a retraining"));
}

TEST_F(CheckpointTest, RefusesDamagedAndForeignFiles) {
  const std::string good = *ReadFile(path());
  ASSERT_TRUE(WriteFileAtomically(path(), good.substr(0, good.size() / 2)).ok());
  EXPECT_THAT(ErrorOf(ReadCheckpoint(*run_)), HasSubstr("truncated"));
  ASSERT_TRUE(WriteFramedFile(path(), kCheckpointMagic, "\xff\xff garbage").ok());
  EXPECT_THAT(ErrorOf(ReadCheckpoint(*run_)), HasSubstr("not a checkpoint"));
  ASSERT_TRUE(WriteFramedFile(path(), "MDNSSRCH", "old").ok());
  EXPECT_THAT(ErrorOf(ReadCheckpoint(*run_)), HasSubstr("wrong magic"));
  Checkpoint future;
  future.set_format_version(99);
  ASSERT_TRUE(WriteFramedFile(path(), kCheckpointMagic, future.SerializeAsString()).ok());
  EXPECT_THAT(ErrorOf(ReadCheckpoint(*run_)), HasSubstr("format version 99"));
}

}  // namespace
}  // namespace mdenas
