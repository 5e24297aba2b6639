// Drives the real binaries with the command lines that do no work: --help,
// which must list each binary's own flags.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"

namespace mdenas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// What a binary prints for `args`.
std::string Output(const std::string& binary,
                   const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RunfilePath(nullptr, binary).value_or(binary)};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult result = RunProcess(argv);
  EXPECT_TRUE(result.exited) << binary << " ended by signal " << result.signal;
  return result.output;
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
const char* const kRunFlags[] = {"spec", "resume", "epochs", "set"};

std::vector<std::string> WithRunFlags(std::vector<std::string> flags) {
  flags.insert(flags.end(), std::begin(kRunFlags), std::end(kRunFlags));
  return flags;
}

INSTANTIATE_TEST_SUITE_P(
    EveryBinary, HelpTest,
    ::testing::Values(
        HelpCase{"mdenas/search", WithRunFlags({})},
        HelpCase{"eval/train", WithRunFlags({"genotype"})},
        HelpCase{"eval/params", {"genotype", "pool_bn"}},
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
