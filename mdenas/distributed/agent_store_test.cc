// Under torchrun's static rendezvous its agent hosts the TCPStore and every
// rank is a client (TORCHELASTIC_USE_AGENT_STORE=True). A Python stand-in
// for the agent, on Debian's python3-torch, hosts the store here.

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/distributed/ranks_test_util.h"

namespace mdenas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(AgentStoreTest, RanksJoinThroughTheAgentsStoreUnderTheAttemptsPrefix) {
  absl::StatusOr<std::string> script =
      RunfilePath(nullptr, "mdenas/distributed/agent_store_test.py");
  absl::StatusOr<std::string> worker = RunfilePath(nullptr, "mdenas/distributed/test_worker");
  ASSERT_TRUE(script.ok() && worker.ok());
  const ProcessResult result = RunProcess({TorchPython(), *script, *worker, "2"});
  ASSERT_TRUE(result.exited && result.exit_code == 0) << result.output;
  EXPECT_THAT(result.output,
              AllOf(HasSubstr("rank 0 exit 0"), HasSubstr("rank 1 exit 0"), HasSubstr("sums: 3 21"),
                    HasSubstr("agent store holds /worker/attempt_2/mdenas/agreement/1: key")));
}

}  // namespace
}  // namespace mdenas
