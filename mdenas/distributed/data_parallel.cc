#include "mdenas/distributed/data_parallel.h"

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/distributed/disagreement.h"
#include "mdenas/distributed/launcher.h"
#include "mdenas/distributed/world_config.h"

ABSL_FLAG(int, processes, 1,
          "Data-parallel processes to start on this machine, each on its shard of every batch "
          "(threads: the cores shared among them). Under torchrun or SLURM leave it out: they "
          "start the processes.");
ABSL_FLAG(absl::Duration, rank_timeout, absl::Minutes(5),
          "How long a data-parallel process waits for the others, at the start and at every "
          "exchange, before it stops with an error naming the rank that did not come.");

namespace mdenas {
namespace {

// argv without --processes (=N or followed by N).
std::vector<std::string> CommandWithoutProcesses(int argc, char** argv) {
  std::vector<std::string> arguments = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--processes" || argument == "-processes") {
      ++i;
      continue;
    }
    if (absl::StartsWith(argument, "--processes=") || absl::StartsWith(argument, "-processes=")) {
      continue;
    }
    arguments.push_back(argument);
  }
  return arguments;
}

// What every rank must share: the spec (but where rank 0 writes) and the
// binary, each as a hash.
absl::StatusOr<std::string> AgreementKey(const google::protobuf::Message& spec) {
  std::unique_ptr<google::protobuf::Message> shared(spec.New());
  shared->CopyFrom(spec);
  const google::protobuf::FieldDescriptor* runtime_field =
      shared->GetDescriptor()->FindFieldByName("runtime");
  google::protobuf::Message* runtime =
      shared->GetReflection()->MutableMessage(shared.get(), runtime_field);
  runtime->GetReflection()->ClearField(runtime,
                                       runtime->GetDescriptor()->FindFieldByName("output_dir"));
  MDENAS_ASSIGN_OR_RETURN(const std::string binary, ReadFile("/proc/self/exe"));
  return absl::StrFormat("spec %016x, binary %016x", StableHash(shared->SerializeAsString()),
                         StableHash(binary));
}

}  // namespace

std::optional<int> RunProcessesIfAsked(int argc, char** argv) {
  const int processes = absl::GetFlag(FLAGS_processes);
  if (processes == 1) return std::nullopt;
  const absl::StatusOr<WorldConfig> config = WorldConfigFromEnvironment();
  std::string problem;
  if (processes < 1) {
    problem = absl::StrCat("--processes=", processes, ": give at least 1");
  } else if (!config.ok()) {
    problem = std::string(config.status().message());
  } else if (config->launcher != "single process") {
    problem =
        absl::StrCat("--processes=", processes, " under ", config->launcher, " (", WhoAmI(*config),
                     "): the launcher starts the processes; leave --processes out");
  }
  if (!problem.empty()) {
    std::cerr << "error: " << problem << "\n";
    return 2;
  }
  // The ranks' own errors say why they stopped; give them the timeout and
  // a little to say it.
  const absl::StatusOr<int> exit_code =
      LaunchLocalRanks(processes, "/proc/self/exe", CommandWithoutProcesses(argc, argv),
                       absl::GetFlag(FLAGS_rank_timeout) + absl::Seconds(5));
  if (!exit_code.ok()) {
    std::cerr << "error: " << exit_code.status().message() << "\n";
    return 1;
  }
  return *exit_code;
}

absl::StatusOr<DataParallel> JoinDataParallel(const google::protobuf::Message& spec,
                                              absl::string_view device) {
  MDENAS_ASSIGN_OR_RETURN(const WorldConfig config, WorldConfigFromEnvironment());
  // A single process has no one to agree with.
  std::string agreement_key;
  if (config.world_size > 1) {
    MDENAS_ASSIGN_OR_RETURN(agreement_key, AgreementKey(spec));
  }
  DataParallel parallel;
  MDENAS_ASSIGN_OR_RETURN(
      parallel.world, World::Join(config, absl::GetFlag(FLAGS_rank_timeout), agreement_key,
                                  c10::Device(std::string(device)).is_cuda() ? Collectives::kNccl
                                                                             : Collectives::kGloo));
  parallel.replicas = std::make_unique<WorldReplicas>(parallel.world.get());
  return parallel;
}

absl::StatusOr<RunDirectory> RunDirectoryOfRankZero(
    World& world, const std::function<absl::StatusOr<RunDirectory>()>& make) {
  if (world.rank() == 0) {
    absl::StatusOr<RunDirectory> run = make();
    // An empty path tells the others that rank 0 stops.
    MDENAS_RETURN_IF_ERROR(
        world.ValueOfRankZero("run directory", run.ok() ? run->path() : "").status());
    return run;
  }
  MDENAS_ASSIGN_OR_RETURN(const std::string path, world.ValueOfRankZero("run directory", ""));
  if (path.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        world.WhoAmI(), ": rank 0 could not make the run directory; its output says why"));
  }
  return RunDirectory::WrittenElsewhere(path);
}

std::string ProcessesLine(const World& world) {
  if (world.world_size() == 1) return "";
  return absl::StrCat("processes: ", world.world_size(), " (from ", world.config().launcher,
                      "'s variables), each on its shard of every batch; rank 0 writes the run "
                      "directory\n");
}

std::ostream& RankZeroOutput(const World& world) {
  if (world.rank() == 0) return std::cout;
  static std::ostream* const nowhere = new std::ostream(nullptr);
  return *nowhere;
}

}  // namespace mdenas
