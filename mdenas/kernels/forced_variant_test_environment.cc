// Linked into every kernel test (kernel_test.bzl): where the test forces a
// CPU kernel variant ($MDENAS_CPU_KERNELS) that this machine does not run,
// or that is the machine's best and so already what the test without a
// suffix runs, every test of the binary is skipped, saying which and why.

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "mdenas/kernels/cpu_kernels.h"

namespace mdenas {
namespace {

class ForcedVariantEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    const char* forced = std::getenv(kCpuKernelsVariable);
    if (forced == nullptr || *forced == '\0') return;
    const std::vector<std::string> runnable = CpuKernelVariantsOfThisMachine();
    if (std::find(runnable.begin(), runnable.end(), forced) == runnable.end()) {
      GTEST_SKIP() << "skipped: this machine does not run the " << forced
                   << " CPU kernels (it runs " << absl::StrJoin(runnable, ", ") << ")";
    }
    if (forced == runnable.front() && runnable.size() > 1) {
      GTEST_SKIP() << "skipped: " << forced
                   << " is this machine's best CPU kernel variant, which the test without a "
                      "variant suffix runs";
    }
  }
};

const testing::Environment* const kEnvironment =
    testing::AddGlobalTestEnvironment(new ForcedVariantEnvironment);

}  // namespace
}  // namespace mdenas
