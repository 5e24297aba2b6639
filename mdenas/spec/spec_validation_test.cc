#include "mdenas/spec/spec_validation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The problems ValidateSpec reports, or "" when there are none.
std::string Problems(const google::protobuf::Message& spec,
                     const SpecOrigins& origins) {
  return std::string(ValidateSpec(spec, origins).message());
}

// Parses `text` as a SearchSpec from "spec.textproto" and validates it.
std::string ValidateSearchText(const std::string& text) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status parsed =
      ParseSpecText(text, "spec.textproto", &spec, &origins);
  if (!parsed.ok()) return std::string(parsed.message());
  return Problems(spec, origins);
}

TEST(ValidateSpecTest, DefaultsAreValid) {
  EXPECT_EQ(Problems(SearchSpec(), SpecOrigins()), "");
  EXPECT_EQ(Problems(EvalSpec(), SpecOrigins()), "");
}

TEST(ValidateSpecTest, NegativeLearningRateNamesLineAndField) {
  const std::string problems =
      ValidateSearchText("optimizer {\n  learning_rate: -0.1\n}\n");
    EXPECT_THAT(problems,
              HasSubstr("spec.textproto:2:3: field 'optimizer.learning_rate': "
                        "-0.1 is out of range: must be > 0"));
}

TEST(ValidateSpecTest, ZeroEpochsIsOutOfRange) {
  const std::string problems = ValidateSearchText("epochs: 0\n");
  EXPECT_THAT(problems,
              HasSubstr("spec.textproto:1:1: field 'epochs': 0 is out of "
                        "range: must be >= 1"));
}

TEST(ValidateSpecTest, SplitFractionMustBeInsideTheOpenInterval) {
  for (const char* fraction : {"0", "1", "1.5", "-0.2"}) {
    const std::string problems =
        ValidateSearchText(std::string("train_fraction: ") + fraction + "\n");
    EXPECT_THAT(problems, HasSubstr("field 'train_fraction'"))
        << fraction;
    EXPECT_THAT(problems, HasSubstr("must be > 0 and < 1")) << fraction;
  }
  EXPECT_EQ(ValidateSearchText("train_fraction: 0.8\n"), "");
}

TEST(ValidateSpecTest, ReportsEveryProblemAtOnce) {
  const std::string problems = ValidateSearchText(
      "epochs: 0\n"
      "batch_size: -4\n"
      "optimizer { momentum: 1.5 weight_decay: -1 }\n"
      "runtime { device: \"tpu\" }\n");
  EXPECT_THAT(problems, HasSubstr("field 'epochs'"));
  EXPECT_THAT(problems, HasSubstr("field 'batch_size'"));
  EXPECT_THAT(problems, HasSubstr("field 'optimizer.momentum'"));
  EXPECT_THAT(problems, HasSubstr("field 'optimizer.weight_decay'"));
  EXPECT_THAT(problems, HasSubstr("spec.textproto:4:11: field 'runtime.device'"));
}

TEST(ValidateSpecTest, ContradictorySettingsAreReported) {
  EXPECT_THAT(ValidateSearchText("optimizer { learning_rate: 0.01 "
                                 "learning_rate_min: 0.1 }\n")
                  ,
              HasSubstr("'optimizer.learning_rate_min': 0.1 is above "
                        "learning_rate (0.01)"));
  EXPECT_THAT(
      ValidateSearchText("epochs: 5\nlearner { warmup_epochs: 5 }\n"),
      HasSubstr("'learner.warmup_epochs'"));
  EXPECT_THAT(ValidateSearchText("batch_size: 4\noptimizer { micro_batches: 5 }\n"),
              HasSubstr("'optimizer.micro_batches': 5 is more than batch_size (4)"));
  // Unequal micro-batches are weighted by their sizes.
  EXPECT_EQ(ValidateSearchText("batch_size: 64\noptimizer { micro_batches: 3 }\n"), "");
  // RSPS: random candidates pick the architecture; the learner never updates.
  EXPECT_EQ(ValidateSearchText("epochs: 5\nlearner { warmup_epochs: 5 }\n"
                               "random_candidates: 10\n"),
            "");
}

TEST(ValidateSpecTest, DeviceNames) {
  for (const char* good : {"cpu", "cuda", "cuda:0", "cuda:3"}) {
    EXPECT_EQ(ValidateSearchText(std::string("runtime { kernels: ATEN device: \"") +
                                 good + "\" }\n"),
              "")
        << good;
  }
  for (const char* bad : {"gpu", "cuda:", "cuda:-1", "cuda:x", ""}) {
    EXPECT_THAT(ValidateSearchText(std::string("runtime { device: \"") + bad +
                                   "\" }\n")
                    ,
                HasSubstr("is not a device"))
        << bad;
  }
}

// The fast kernels are the CPU ones on a CPU and the CUDA depthwise
// convolution (ATen's operators for the rest) on a GPU.
TEST(ValidateSpecTest, FastKernelsRunOnEitherDevice) {
  EXPECT_EQ(ValidateSearchText("runtime { kernels: FAST device: \"cpu\" }\n"), "");
  EXPECT_EQ(ValidateSearchText("runtime { kernels: FAST device: \"cuda:1\" }\n"), "");
}

TEST(ValidateSpecTest, Bfloat16NeedsAtenKernels) {
  EXPECT_EQ(ValidateSearchText("runtime { kernels: ATEN precision: BFLOAT16 }\n"), "");
  EXPECT_THAT(ValidateSearchText("runtime { precision: BFLOAT16 }\n"),
              HasSubstr("field 'runtime.precision': bfloat16 autocast needs kernels: "
                        "ATEN"));
}

TEST(ValidateSpecTest, FlagOverridesAreNamedInProblems) {
  SearchSpec spec;
  SpecOrigins origins;
  ASSERT_TRUE(
      SetSpecField("batch_size", "0", "flag --batch_size", &spec, &origins)
          .ok());
  EXPECT_THAT(Problems(spec, origins),
              HasSubstr("flag --batch_size: field 'batch_size': 0 is out of"));
}

TEST(ValidateSpecTest, EvalSpecNeedsAnArchitecture) {
  EvalSpec spec;
  spec.set_architecture("");
  EXPECT_THAT(Problems(spec, SpecOrigins()),
              HasSubstr("field 'architecture': is empty"));
  spec.set_architecture("DARTS_V2");
  spec.mutable_network()->mutable_darts()->set_drop_path_prob(1.0);
  EXPECT_THAT(Problems(spec, SpecOrigins()),
              HasSubstr("'network.darts.drop_path_prob': 1 is out of range"));
}

TEST(PresetsTest, EverySearchPresetLoadsAndValidates) {
  const absl::StatusOr<std::vector<std::string>> names =
      ListDirectory("benchmarks/specs");
  ASSERT_TRUE(names.ok()) << names.status();
  int loaded = 0;
  for (const std::string& name : *names) {
    if (name.size() < 10 || name.substr(name.size() - 10) != ".textproto") {
      continue;
    }
    SearchSpec spec;
    SpecOrigins origins;
    const std::string path = JoinPath("benchmarks/specs", name);
    ASSERT_TRUE(LoadSpecFile(path, &spec, &origins).ok()) << path;
    EXPECT_EQ(Problems(spec, origins), "") << path;
    ++loaded;
  }
  EXPECT_GE(loaded, 2);
}

TEST(PresetsTest, PaperPresetEqualsTheDefaults) {
  SearchSpec spec;
  SpecOrigins origins;
  ASSERT_TRUE(LoadSpecFile("benchmarks/specs/cifar10_paper.textproto", &spec,
                           &origins)
                  .ok());
  EXPECT_EQ(ResolvedSpecText(spec), ResolvedSpecText(SearchSpec()));
}

}  // namespace
}  // namespace mdenas
