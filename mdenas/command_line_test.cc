// Drives the real binaries with the command lines that do no work: --help,
// which must list each binary's own flags, and --print_spec, which shows the
// spec every --set went into.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/search_spec.pb.h"

namespace mdenas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Runs `binary` with `args`.
ProcessResult Run(const std::string& binary,
                  const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RunfilePath(nullptr, binary).value_or(binary)};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

// What a binary prints for `args`.
std::string Output(const std::string& binary,
                   const std::vector<std::string>& args) {
  const ProcessResult result = Run(binary, args);
  EXPECT_TRUE(result.exited) << binary << " ended by signal " << result.signal;
  return result.output;
}

// The spec `binary` --print_spec prints with `args`, parsed.
template <typename Spec>
Spec PrintedSpec(const std::string& binary, std::vector<std::string> args) {
  args.push_back("--print_spec");
  const ProcessResult result = Run(binary, args);
  EXPECT_TRUE(result.exited && result.exit_code == 0) << result.output;
  Spec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(result.output, &spec))
      << result.output;
  return spec;
}

// The mobile space's networks are sized at 224 px and 1000 classes, as
// Table 3 sizes them, unless --dataset says otherwise.
TEST(ParamsTest, MobileNetworksAtImageNetSize) {
  const std::string gpu =
      Output("eval/params", {"--space=mobile", "--architecture=MDENAS_GPU"});
  EXPECT_THAT(gpu, AllOf(HasSubstr("224x224 input, 1000 classes"), HasSubstr("5,745,984"),
                         HasSubstr("765,096,256")));
  const std::string cifar = Output(
      "eval/params", {"--space=mobile", "--architecture=MDENAS_CPU", "--dataset=cifar10"});
  EXPECT_THAT(cifar, AllOf(HasSubstr("32x32 input, 10 classes"),
                           HasSubstr("strides for small images")));
}

TEST(PrintSpecTest, SearchAppliesEverySetInOrder) {
  const std::string output = Output("mdenas/search", {"--print_spec"});
  EXPECT_THAT(output, HasSubstr("# Search epochs. Default: 100.\nepochs: 20\n"));
  const SearchSpec spec = PrintedSpec<SearchSpec>(
      "mdenas/search", {"--set=epochs=3,space.darts.layers=4", "--set",
                        "batch_size=16", "--epochs=7", "--set=epochs=5"});
  EXPECT_EQ(spec.epochs(), 5);  // The last --set of the field.
  EXPECT_EQ(spec.space().darts().layers(), 4);
  EXPECT_EQ(spec.batch_size(), 16);
  EXPECT_EQ(spec.learner().alpha(), 0.01);  // A default, filled in.
}

TEST(PrintSpecTest, TrainAppliesEverySet) {
  const EvalSpec spec = PrintedSpec<EvalSpec>(
      "eval/train", {"--set=cutout_length=0", "--architecture=DARTS_V2",
                     "-set=network.darts.layers=6"});
  EXPECT_EQ(spec.cutout_length(), 0);
  EXPECT_EQ(spec.network().darts().layers(), 6);
  EXPECT_EQ(spec.architecture(), "DARTS_V2");
}

struct HelpCase {
  std::string binary;
  // Flags its --help must list: its own, wherever they are defined.
  std::vector<std::string> flags;
};

class HelpTest : public ::testing::TestWithParam<HelpCase> {};

TEST_P(HelpTest, ListsTheBinarysFlagsAndNotAbseils) {
  const std::string help = Output(GetParam().binary, {"--help"});
  for (const std::string& flag : GetParam().flags) {
    EXPECT_THAT(help, HasSubstr("\n    --" + flag + " (")) << help;
  }
  EXPECT_THAT(help, AllOf(Not(HasSubstr("No flags matched")),
                          Not(HasSubstr("--flagfile"))))
      << help;
}

// The flags of run_flags.cc that //mdenas:search and //eval:train share.
const char* const kRunFlags[] = {"spec", "resume", "epochs", "set",
                                 "print_spec"};

std::vector<std::string> WithRunFlags(std::vector<std::string> flags) {
  flags.insert(flags.end(), std::begin(kRunFlags), std::end(kRunFlags));
  return flags;
}

INSTANTIATE_TEST_SUITE_P(
    EveryBinary, HelpTest,
    ::testing::Values(
        HelpCase{"mdenas/search", WithRunFlags({})},
        HelpCase{"eval/train", WithRunFlags({"architecture"})},
        HelpCase{"eval/params", {"space", "architecture", "set"}},
        HelpCase{"eval/ranking_study", {"architectures", "supernet_epochs"}},
        HelpCase{"benchmarks/search_step", {"configurations", "versus"}},
        HelpCase{"benchmarks/cifar10_table", {"runs", "quick"}},
        HelpCase{"benchmarks/imagenet_table", {"runs", "json_out"}},
        HelpCase{"benchmarks/compare", {"baseline"}},
        HelpCase{"data/inspect", {"data", "stats_images"}},
        HelpCase{"data/convert", {"from", "to", "format"}}),
    [](const ::testing::TestParamInfo<HelpCase>& info) {
      const std::string& binary = info.param.binary;
      return binary.substr(binary.find('/') + 1);
    });

}  // namespace
}  // namespace mdenas
