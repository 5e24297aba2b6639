#include "mdenas/distributed/ranks_test_util.h"

#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/distributed/local_address.h"

namespace mdenas {

std::string TorchPython() {
  const char* python = std::getenv("MDENAS_TORCH_PYTHON");
  return python != nullptr && *python != '\0' ? python : "/usr/bin/python3";
}

int FreePort() {
  const absl::StatusOr<int> port = FreeLoopbackPort();
  EXPECT_TRUE(port.ok()) << port.status();
  return port.value_or(0);
}

std::vector<ProcessResult> RunRanks(int world_size, const std::vector<std::string>& args) {
  absl::StatusOr<std::string> worker = RunfilePath(nullptr, "mdenas/distributed/test_worker");
  EXPECT_TRUE(worker.ok()) << worker.status();
  const int port = FreePort();
  std::vector<ProcessResult> results(world_size);
  std::vector<std::thread> ranks;
  for (int rank = 0; rank < world_size; ++rank) {
    std::vector<std::string> argv = {"env",
                                     absl::StrCat("RANK=", rank),
                                     absl::StrCat("WORLD_SIZE=", world_size),
                                     "MASTER_ADDR=127.0.0.1",
                                     absl::StrCat("MASTER_PORT=", port),
                                     worker.value_or("test_worker")};
    for (const std::string& arg : args) {
      argv.push_back(absl::StrReplaceAll(arg, {{"{rank}", absl::StrCat(rank)}}));
    }
    ranks.emplace_back([argv, rank, &results] { results[rank] = RunProcess(argv); });
  }
  for (std::thread& rank : ranks) rank.join();
  return results;
}

}  // namespace mdenas
