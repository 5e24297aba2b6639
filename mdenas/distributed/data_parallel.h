// How a binary that runs a training job (//mdenas:search, //eval:train)
// takes part in a data-parallel run: started by torchrun, by SLURM's srun,
// or by its own --processes=N; joined to the others through c10d; with
// rank 0 making and writing the run directory.
//
//   if (std::optional<int> launched = RunProcessesIfAsked(argc, argv)) return *launched;
//   ... resolve the spec ...
//   MDENAS_ASSIGN_OR_RETURN(DataParallel parallel, JoinDataParallel(spec));
//   MDENAS_ASSIGN_OR_RETURN(RunDirectory run, RunDirectoryOfRankZero(
//       *parallel.world, [&] { return start.Directory(spec); }));
//   ... Search::Create(spec, data, run, resume, parallel.replicas.get()) ...

#ifndef MDENAS_DISTRIBUTED_DATA_PARALLEL_H_
#define MDENAS_DISTRIBUTED_DATA_PARALLEL_H_

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "mdenas/distributed/process_group.h"
#include "mdenas/distributed/world_replicas.h"
#include "mdenas/run/run_directory.h"

ABSL_DECLARE_FLAG(int, processes);
ABSL_DECLARE_FLAG(absl::Duration, rank_timeout);

namespace mdenas {

// With --processes=N, N > 1, and no launcher's variables in the
// environment: runs this binary's command line, less --processes, as N
// ranks on this machine (launcher.h) and returns the exit status for main.
// nullopt: this process does the work itself. --processes under torchrun
// or SLURM is an error (exit status 2, the reason on stderr).
std::optional<int> RunProcessesIfAsked(int argc, char** argv);

struct DataParallel {
  std::unique_ptr<World> world;
  std::unique_ptr<WorldReplicas> replicas;
};

// Joins the world of this process's environment (alone without one),
// waiting --rank_timeout for the others. Every rank must run the same
// `spec` (its output directory aside: rank 0's is the run's) with the same
// binary; a rank that differs is refused on every rank. The ranks exchange
// tensors through NCCL where `device` (the spec's runtime.device) is CUDA,
// through Gloo otherwise.
absl::StatusOr<DataParallel> JoinDataParallel(const google::protobuf::Message& spec,
                                              absl::string_view device);

// The run directory on every rank: rank 0 makes it with `make`; the
// others name rank 0's (RunDirectory::WrittenElsewhere) and never write.
absl::StatusOr<RunDirectory> RunDirectoryOfRankZero(
    World& world, const std::function<absl::StatusOr<RunDirectory>()>& make);

// "processes: 2 (from torchrun's variables), ..." and a newline for a binary's header; empty
// for a single process.
std::string ProcessesLine(const World& world);

// std::cout on rank 0; a stream that prints nothing on the others, so
// that a run prints its progress once.
std::ostream& RankZeroOutput(const World& world);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_DATA_PARALLEL_H_
