// The built-in way to start a data-parallel run on one machine without
// Python: N copies of a binary as ranks 0..N-1, told their places by
// torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR=127.0.0.1, MASTER_PORT a free port), as
// `torchrun --no_python --nproc_per_node=N <binary> <arguments>` would.
//
//   MDENAS_ASSIGN_OR_RETURN(const int exit_code,
//       LaunchLocalRanks(2, "/proc/self/exe", {argv[0], "--epochs=2"}, absl::Minutes(1)));

#ifndef MDENAS_DISTRIBUTED_LAUNCHER_H_
#define MDENAS_DISTRIBUTED_LAUNCHER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mdenas {

// Starts `processes` ranks of `binary` with the command line `argv`
// (argv[0] as the rank sees it, which may differ from `binary`: runfiles
// are found from it), sharing this process's standard streams, and waits
// for them. Once one has
// failed, the others get `grace` to stop on their own (a rank's
// collectives fail within its timeout when another is gone) and are then
// terminated (SIGTERM; SIGKILL 10 s later). Returns 0 if every rank exited with 0, otherwise the exit
// status of the first that failed (128 + its signal if one killed it).
absl::StatusOr<int> LaunchLocalRanks(int processes, const std::string& binary,
                                     const std::vector<std::string>& argv,
                                     absl::Duration grace);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_LAUNCHER_H_
