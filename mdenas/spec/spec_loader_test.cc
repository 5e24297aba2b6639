#include "mdenas/spec/spec_loader.h"

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/search_spec.pb.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::Status Parse(const std::string& text, SearchSpec* spec,
                   SpecOrigins* origins) {
  return ParseSpecText(text, "spec.textproto", spec, origins);
}

TEST(ParseSpecTextTest, ReadsFieldsAndRecordsTheirLines) {
  SearchSpec spec;
  SpecOrigins origins;
  ASSERT_TRUE(Parse("epochs: 7\n"
                    "optimizer {\n"
                    "  learning_rate: 0.5\n"
                    "}\n",
                    &spec, &origins)
                  .ok());
  EXPECT_EQ(spec.epochs(), 7);
  EXPECT_DOUBLE_EQ(spec.optimizer().learning_rate(), 0.5);
  EXPECT_EQ(origins.Find("epochs"), "spec.textproto:1:1");
  EXPECT_EQ(origins.Find("optimizer.learning_rate"), "spec.textproto:3:3");
  // Unset fields fall back to the enclosing message's origin, or none.
  EXPECT_EQ(origins.Find("optimizer.momentum"), "spec.textproto:2:1");
  EXPECT_EQ(origins.Find("batch_size"), "");
}

TEST(ParseSpecTextTest, UnknownFieldNamesFileLineAndField) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status = Parse("epochs: 3\n"
                                    "optimizer {\n"
                                    "  learnin_rate: 0.1\n"
                                    "}\n",
                                    &spec, &origins);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("spec.textproto:3:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("'optimizer.learnin_rate'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("no field named \"learnin_rate\""));
}

TEST(ParseSpecTextTest, WrongTypeNamesFileLineAndField) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status =
      Parse("# a comment: with { braces\nspace {\n  darts {\n    layers: \"eight\"\n  }\n}\n",
            &spec, &origins);
  EXPECT_THAT(std::string(status.message()), StartsWith("spec.textproto:4:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("field 'space.darts.layers'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("integer"));
}

TEST(ParseSpecTextTest, FractionForIntegerIsAnError) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status = Parse("epochs: 2.5\n", &spec, &origins);
  EXPECT_THAT(std::string(status.message()), StartsWith("spec.textproto:1:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("field 'epochs'"));
}

TEST(ParseSpecTextTest, UnknownEnumValueNamesTheField) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status =
      Parse("data { dataset: CIFAR11 }\n", &spec, &origins);
  EXPECT_THAT(std::string(status.message()), StartsWith("spec.textproto:1:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("field 'data.dataset'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("CIFAR11"));
}

TEST(ParseSpecTextTest, RepeatedSingularFieldIsAnError) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status = Parse("epochs: 1\nepochs: 2\n", &spec, &origins);
  EXPECT_THAT(std::string(status.message()), StartsWith("spec.textproto:2:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("epochs"));
}

TEST(ParseSpecTextTest, UnclosedMessageIsAnError) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status = Parse("optimizer {\n  momentum: 0.5\n", &spec,
                                    &origins);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("spec.textproto:"));
}

TEST(LoadSpecFileTest, MissingFileNamesThePath) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status =
      LoadSpecFile("/nonexistent/x.textproto", &spec, &origins);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr("/nonexistent/x.textproto"));
}

TEST(LoadSpecFileTest, ErrorsNameTheFile) {
  const std::string path =
      JoinPath(std::getenv("TEST_TMPDIR"), "bad.textproto");
  ASSERT_TRUE(WriteFileAtomically(path, "\n\nbatch_size: x\n").ok());
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status = LoadSpecFile(path, &spec, &origins);
  EXPECT_THAT(std::string(status.message()), StartsWith(path + ":3:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("field 'batch_size'"));
}

TEST(SetSpecFieldTest, SetsNestedScalarsEnumsAndStrings) {
  SearchSpec spec;
  SpecOrigins origins;
  ASSERT_TRUE(
      SetSpecField("optimizer.learning_rate", "0.1", "flag --lr", &spec,
                   &origins)
          .ok());
  ASSERT_TRUE(SetSpecField("learner.sampling", "PER_BATCH", "flag --sampling",
                           &spec, &origins)
                  .ok());
  ASSERT_TRUE(SetSpecField("data.path", "/data/cifar 10", "flag --data_dir",
                           &spec, &origins)
                  .ok());
  EXPECT_DOUBLE_EQ(spec.optimizer().learning_rate(), 0.1);
  EXPECT_EQ(spec.learner().sampling(), LearnerSpec::PER_BATCH);
  EXPECT_EQ(spec.data().path(), "/data/cifar 10");
  EXPECT_EQ(origins.Find("optimizer.learning_rate"), "flag --lr");
}

TEST(SetSpecFieldTest, OverrideReplacesTheFileValueAndItsOrigin) {
  SearchSpec spec;
  SpecOrigins origins;
  ASSERT_TRUE(Parse("epochs: 10\n", &spec, &origins).ok());
  ASSERT_TRUE(
      SetSpecField("epochs", "3", "flag --epochs", &spec, &origins).ok());
  EXPECT_EQ(spec.epochs(), 3);
  EXPECT_EQ(origins.Find("epochs"), "flag --epochs");
}

TEST(SetSpecFieldTest, UnknownFieldListsTheValidOnes) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status =
      SetSpecField("optimizer.lr", "0.1", "flag --set", &spec, &origins);
  EXPECT_THAT(std::string(status.message()), StartsWith("flag --set: "));
  EXPECT_THAT(std::string(status.message()), HasSubstr("no field 'lr'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("learning_rate"));
}

TEST(SetSpecFieldTest, WrongTypeNamesTheOrigin) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status =
      SetSpecField("epochs", "many", "flag --epochs", &spec, &origins);
  EXPECT_THAT(std::string(status.message()), StartsWith("flag --epochs: "));
  EXPECT_THAT(std::string(status.message()), HasSubstr("'many'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("int32"));
}

TEST(SetSpecFieldTest, ScalarHasNoSubfields) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status =
      SetSpecField("epochs.count", "1", "flag --set", &spec, &origins);
  EXPECT_THAT(std::string(status.message()), HasSubstr("has no fields of its own"));
}

TEST(FillDefaultsTest, StatesEveryValueAndReparsesToTheSameSpec) {
  SearchSpec spec;
  SpecOrigins origins;
  ASSERT_TRUE(Parse("epochs: 9\n", &spec, &origins).ok());
  const std::string resolved = ResolvedSpecText(spec);
  EXPECT_THAT(resolved, HasSubstr("epochs: 9"));
  EXPECT_THAT(resolved, HasSubstr("batch_size: 512"));
  EXPECT_THAT(resolved, HasSubstr("learning_rate: 0.025"));
  EXPECT_THAT(resolved, HasSubstr("sampling: PER_EPOCH"));
  SearchSpec reparsed;
  ASSERT_TRUE(Parse(resolved, &reparsed, &origins).ok());
  EXPECT_TRUE(reparsed.has_batch_size());
  FillDefaults(&spec);
  EXPECT_EQ(reparsed.SerializeAsString(), spec.SerializeAsString());
}

// SearchSpaceSpec's oneof names DARTS as its default member; RunResult's
// oneof names none.
TEST(FillDefaultsTest, AOneofThatSetsNoMemberGetsItsDefaultMember) {
  SearchSpec spec;
  FillDefaults(&spec);
  ASSERT_TRUE(spec.space().has_darts());
  EXPECT_TRUE(spec.space().darts().has_layers());
  EXPECT_EQ(spec.space().darts().layers(), 8);
  EXPECT_THAT(ResolvedSpecText(SearchSpec()), HasSubstr("space {\n  darts {\n    layers: 8"));

  RunResult unset;
  FillDefaults(&unset);
  EXPECT_EQ(unset.spec_case(), RunResult::SPEC_NOT_SET);
  RunResult set;
  set.mutable_eval_spec();
  FillDefaults(&set);
  EXPECT_EQ(set.spec_case(), RunResult::kEvalSpec);
  EXPECT_TRUE(set.eval_spec().has_epochs());
  EXPECT_FALSE(set.has_search_spec());
}

TEST(SameRunSpecTest, DefaultsCountAndTheOutputDirectoryDoesNot) {
  SearchSpec a, b;
  b.set_epochs(100);  // The default, spelled out.
  b.mutable_runtime()->set_output_dir("/moved/elsewhere");
  EXPECT_TRUE(SameRunSpec(a, b));
  b.set_epochs(99);
  EXPECT_FALSE(SameRunSpec(a, b));
}

}  // namespace
}  // namespace mdenas
