// The regression check of the fast kernels that runs in `bazel test //...`:
// the instructions valgrind's callgrind counts for one fast search step on a
// small network (benchmarks/baselines/search_step_instructions.json), which,
// unlike seconds, do not move with the load of these shared machines. To
// take a new baseline after an intended change, put the count this test
// prints into that file.

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "benchmarks/regression.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"

namespace mdenas {
namespace {

constexpr char kValgrind[] = "/usr/bin/valgrind";

// The "totals:" line of a callgrind output file.
int64_t TotalInstructions(const std::string& path) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    int64_t total;
    if (line.rfind("totals:", 0) == 0 &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(7)), &total)) {
      return total;
    }
  }
  return -1;
}

TEST(SearchStepInstructionsTest, TheFastStepCostsNoMoreThanTheBaseline) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "instruction counts are of the optimised build, not of the sanitizers'";
#endif
  ASSERT_EQ(access(kValgrind, X_OK), 0)
      << kValgrind << " is missing: apt-get install valgrind (bazelw installs it)";
  const auto baseline_path =
      RunfilePath(nullptr, "benchmarks/baselines/search_step_instructions.json");
  const auto search_step = RunfilePath(nullptr, "benchmarks/search_step");
  ASSERT_TRUE(baseline_path.ok()) << baseline_path.status();
  ASSERT_TRUE(search_step.ok()) << search_step.status();
  const auto baseline = ReadInstructionBaseline(*baseline_path);
  ASSERT_TRUE(baseline.ok()) << baseline.status();
  const SearchStepSettings& s = baseline->settings();
  const std::string out = absl::StrCat(std::getenv("TEST_TMPDIR"), "/callgrind.out");
  const ProcessResult valgrind = RunProcess({
      kValgrind,
      "--tool=callgrind",
      "--instr-atstart=no",
      absl::StrCat("--callgrind-out-file=", out),
      *search_step,
      absl::StrCat("--run_configuration=", baseline->configuration()),
      absl::StrCat("--init_channels=", s.init_channels()),
      absl::StrCat("--layers=", s.layers()),
      absl::StrCat("--batch_size=", s.batch_size()),
      absl::StrCat("--image_size=", s.image_size()),
      absl::StrCat("--threads=", s.threads()),
      absl::StrCat("--steps=", s.steps()),
      absl::StrCat("--warmup_steps=", s.warmup_steps()),
      absl::StrCat("--seed=", s.seed())});
  ASSERT_TRUE(valgrind.exited && valgrind.exit_code == 0)
      << "valgrind failed:\n" << valgrind.output;

  const int64_t instructions = TotalInstructions(out) / std::max(1, s.steps());
  ASSERT_GT(instructions, 0) << "no totals in " << out;
  const double limit = baseline->instructions() * (1 + baseline->tolerance());
  std::cout << "fast search step: " << instructions << " instructions (baseline "
            << baseline->instructions() << ", limit " << static_cast<int64_t>(limit) << ")\n";
  EXPECT_LE(instructions, limit)
      << "the fast search step takes " << instructions << " instructions, "
      << 100.0 * instructions / baseline->instructions() - 100
      << "% more than the baseline's " << baseline->instructions();
  if (instructions < baseline->instructions() * (1 - baseline->tolerance())) {
    std::cout << "fewer instructions than the baseline: consider recording " << instructions
              << " in benchmarks/baselines/search_step_instructions.json\n";
  }
}

}  // namespace
}  // namespace mdenas
