#include "mdenas/spec/spec_flags.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/proto/search_spec.pb.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

TEST(ApplyFieldFlagsTest, GivenFlagsAndSetPairsOverrideFields) {
  SearchSpec spec;
  SpecOrigins origins;
  const std::vector<FieldFlag> flags = {
      {"--epochs", "epochs", "3"},
      {"--seed", "runtime.seed", ""},  // Not given: left alone.
  };
  ASSERT_TRUE(ApplyFieldFlags(flags,
                              "optimizer.learning_rate=0.1,data.path=/d",
                              &spec, &origins)
                  .ok());
  EXPECT_EQ(spec.epochs(), 3);
  EXPECT_FALSE(spec.runtime().has_seed());
  EXPECT_DOUBLE_EQ(spec.optimizer().learning_rate(), 0.1);
  EXPECT_EQ(spec.data().path(), "/d");
  EXPECT_EQ(origins.Find("epochs"), "flag --epochs");
  EXPECT_EQ(origins.Find("data.path"), "flag --set");
}

TEST(ApplyFieldFlagsTest, ReportsEveryBadFlag) {
  SearchSpec spec;
  SpecOrigins origins;
  const std::vector<FieldFlag> flags = {{"--epochs", "epochs", "three"}};
  const absl::Status status =
      ApplyFieldFlags(flags, "nonsense,optimizer.nope=1", &spec, &origins);
  const std::string message(status.message());
  EXPECT_THAT(message, HasSubstr("flag --epochs: field 'epochs'"));
  EXPECT_THAT(message, HasSubstr("flag --set: 'nonsense' is not of the form"));
  EXPECT_THAT(message, HasSubstr("flag --set: mdenas.OptimizerSpec has no "
                                 "field 'nope'"));
}

TEST(LoadSpecWithFlagsTest, ReportsFileFlagAndValueProblemsTogether) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/s.textproto";
  {
    std::ofstream file(path);
    file << "epochs: 0\nbatch_size: 8\n";
  }
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status = LoadSpecWithFlags(
      path, {{"--seed", "runtime.seed", "x"}}, "", &spec, &origins);
  const std::string message(status.message());
  EXPECT_THAT(message, HasSubstr("flag --seed: field 'runtime.seed'"));
  EXPECT_THAT(message, HasSubstr(path + ":1:1: field 'epochs': 0 is out of range"));
  EXPECT_EQ(spec.batch_size(), 8);
}

}  // namespace
}  // namespace mdenas
