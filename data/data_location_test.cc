#include "data/data_location.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

class DataLocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name :
         {"MDENAS_DATA", "MDENAS_SHARED_DATA", "BUILD_WORKSPACE_DIRECTORY",
          "BUILD_WORKING_DIRECTORY"}) {
      ::unsetenv(name);
    }
    root_ = JoinPath(std::getenv("TEST_TMPDIR"), "location");
    ASSERT_TRUE(MakeDirectories(JoinPath(root_, "shared/cifar10-jpeg")).ok());
  }
  std::string root_;
};

TEST_F(DataLocationTest, AGivenPathMustBeAFolder) {
  DataSpec data;
  std::string notice;
  data.set_path(root_);
  EXPECT_TRUE(LocateData("flag --data_dir", &data, &notice).ok());
  data.set_path(JoinPath(root_, "missing"));
  EXPECT_THAT(std::string(LocateData("flag --data_dir", &data, &notice).message()),
              HasSubstr("flag --data_dir: data.path: " + root_ +
                        "/missing is not a directory"));
}

TEST_F(DataLocationTest, EnvironmentThenSharedCopyThenFashionMnist) {
  DataSpec data;
  std::string notice;
  ::setenv("MDENAS_SHARED_DATA", JoinPath(root_, "shared").c_str(), 1);
  ASSERT_TRUE(LocateData("", &data, &notice).ok());
  EXPECT_EQ(data.path(), JoinPath(root_, "shared/cifar10-jpeg"));
  EXPECT_EQ(notice, "");

  data.clear_path();
  ::setenv("MDENAS_DATA", root_.c_str(), 1);
  ASSERT_TRUE(LocateData("", &data, &notice).ok());
  EXPECT_EQ(data.path(), root_);

  data.clear_path();
  ::unsetenv("MDENAS_DATA");
  ::setenv("MDENAS_SHARED_DATA", JoinPath(root_, "nothing").c_str(), 1);
  ASSERT_TRUE(LocateData("", &data, &notice).ok());
  EXPECT_EQ(data.dataset(), DataSpec::FASHION_MNIST);
  EXPECT_EQ(data.path(), kDebianFashionMnist);
  EXPECT_THAT(notice, HasSubstr("no CIFAR-10 found (looked in " + root_ +
                                "/nothing/cifar10-jpeg)"));
}

TEST_F(DataLocationTest, OtherDataSetsNeedAPath) {
  DataSpec data;
  data.set_dataset(DataSpec::CIFAR100);
  std::string notice;
  EXPECT_THAT(std::string(LocateData("", &data, &notice).message()),
              HasSubstr("say where the CIFAR100 files are"));
}

}  // namespace
}  // namespace mdenas
