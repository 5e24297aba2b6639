// Runs the test worker as every rank of a world on this machine, over
// loopback, as torchrun would start them: all at once, each told its rank
// by the environment.

#ifndef MDENAS_DISTRIBUTED_RANKS_TEST_UTIL_H_
#define MDENAS_DISTRIBUTED_RANKS_TEST_UTIL_H_

#include <string>
#include <vector>

#include "mdenas/base/subprocess.h"

namespace mdenas {

// The Python whose torch matches the libtorch this build links (its
// TCPStore speaks the same protocol): $MDENAS_TORCH_PYTHON, which bazelw
// sets for --config=cuda to its PyTorch's environment, or Debian's python3
// with python3-torch.
std::string TorchPython();

// A TCP port on 127.0.0.1 that nothing listens on (the system picks it).
int FreePort();

// Starts mdenas/distributed/test_worker with `args` as ranks 0 to
// world_size - 1 (RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT a
// free port) and waits for all; their results, by rank. "{rank}" in an
// argument becomes the rank's number.
std::vector<ProcessResult> RunRanks(int world_size, const std::vector<std::string>& args);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_RANKS_TEST_UTIL_H_
