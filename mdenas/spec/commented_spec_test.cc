#include "mdenas/spec/commented_spec.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

using ::google::protobuf::DescriptorPool;
using ::google::protobuf::Message;
using ::google::protobuf::TextFormat;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;

class CommentedSpecTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<DescriptorPool>> pool =
        LoadSpecDescriptors(nullptr);
    ASSERT_TRUE(pool.ok()) << pool.status();
    documented_ = pool->release();
  }

  static std::string Text(const Message& spec) {
    const absl::StatusOr<std::string> text =
        CommentedSpecText(spec, *documented_);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.value_or("");
  }

  // Expects `text` to parse back to `spec` with its defaults filled in.
  static void ExpectParsesBack(const std::string& text, const Message& spec) {
    std::unique_ptr<Message> resolved(spec.New());
    resolved->CopyFrom(spec);
    FillDefaults(resolved.get());
    std::unique_ptr<Message> parsed(spec.New());
    ASSERT_TRUE(TextFormat::ParseFromString(text, parsed.get())) << text;
    EXPECT_TRUE(MessageDifferencer::Equals(*parsed, *resolved)) << text;
  }

  static const DescriptorPool* documented_;
};

const DescriptorPool* CommentedSpecTest::documented_ = nullptr;

TEST_F(CommentedSpecTest, EveryFieldWithItsCommentAndDefault) {
  SearchSpec spec;
  spec.set_batch_size(64);
  const std::string text = Text(spec);
  EXPECT_THAT(text, HasSubstr("# Search epochs. Default: 100.\nepochs: 100\n"));
  EXPECT_THAT(text, HasSubstr("\nbatch_size: 64\n"));
  // Nested, indented, with the enum's values.
  EXPECT_THAT(text, HasSubstr("learner {\n"
                              "  # Distribution learning rate. Default: 0.01.\n"
                              "  alpha: 0.01\n"
                              "  # One of: PER_EPOCH, PER_BATCH.\n"
                              "  sampling: PER_EPOCH\n"));
  // A field without a comment of its own shows its type's. The oneof's
  // default member is filled in.
  EXPECT_THAT(text, HasSubstr("# The search space and its settings: the "
                              "member that is set selects the\n"
                              "# space (mdenas/space/spaces.h).\n"
                              "space {\n"
                              "  # The DARTS cell space"));
  EXPECT_THAT(text, HasSubstr("    # Cells in the search network; reduction "
                              "cells sit at 1/3 and 2/3 of the\n"
                              "    # depth. Default: 8"));
}

TEST_F(CommentedSpecTest, ParsesBackToTheResolvedSpec) {
  SearchSpec search;
  search.mutable_data()->set_path("/data/\"quoted\" cifar");
  search.mutable_optimizer()->set_learning_rate(0.1);
  search.mutable_runtime()->set_kernels(RuntimeSpec::ATEN);
  search.mutable_space()->mutable_darts()->set_layers(3);
  ExpectParsesBack(Text(search), search);
  EvalSpec eval;
  eval.set_architecture("DARTS_V2");
  ExpectParsesBack(Text(eval), eval);
}

// Repeated fields (the specs have none yet), on a message of a file the
// spec protos import: each value on its line, the comment once.
TEST_F(CommentedSpecTest, RepeatedFieldsEveryValue) {
  google::protobuf::FileDescriptorProto file;
  file.add_dependency("a.proto");
  file.add_dependency("b.proto");
  file.add_message_type()->set_name("A");
  file.add_message_type()->set_name("B");
  const std::string text = Text(file);
  EXPECT_THAT(text, HasSubstr("# Names of files imported by this file.\n"
                              "dependency: \"a.proto\"\n"
                              "dependency: \"b.proto\"\n"));
  EXPECT_THAT(text, HasSubstr("message_type {\n  name: \"A\"\n"));
  EXPECT_THAT(text, HasSubstr("message_type {\n  name: \"B\"\n"));
  ExpectParsesBack(text, file);
}

TEST_F(CommentedSpecTest, UndocumentedFieldIsAnError) {
  const DescriptorPool empty;
  const absl::StatusOr<std::string> text =
      CommentedSpecText(SearchSpec(), empty);
  EXPECT_THAT(text.status().message(),
              HasSubstr("no field mdenas.SearchSpec.data"));
}

}  // namespace
}  // namespace mdenas
