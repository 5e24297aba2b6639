// Where this process stands among the processes that train one network
// together, read from the environment that the launcher set: torchrun's
// variables, SLURM's where torchrun's are absent, or a single process when
// neither is there.
//
//   torchrun:  RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
//              MASTER_PORT; TORCHELASTIC_USE_AGENT_STORE=True and
//              TORCHELASTIC_RESTART_COUNT when its agent hosts the store.
//   SLURM:     SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID and
//              SLURM_NTASKS_PER_NODE or SLURM_TASKS_PER_NODE (with
//              SLURM_NODEID); MASTER_ADDR and MASTER_PORT must be exported
//              by the job script. SLURM_LAUNCH_NODE_IPADDR is not used: it is
//              the host srun ran on, a login node for an interactive srun,
//              where no rank hosts the store.

#ifndef MDENAS_DISTRIBUTED_WORLD_CONFIG_H_
#define MDENAS_DISTRIBUTED_WORLD_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace mdenas {

struct WorldConfig {
  // "torchrun", "SLURM" or "single process": which variables these came from.
  std::string launcher = "single process";
  int rank = 0;
  int world_size = 1;
  // Among the processes on this machine (chooses this process's device).
  int local_rank = 0;
  int local_world_size = 1;
  // The rendezvous store's address; unused by a single process.
  std::string master_addr;
  int master_port = 0;
  // torchrun's agent hosts the store (TORCHELASTIC_USE_AGENT_STORE=True):
  // every rank is its client, under the prefix of this restart's attempt.
  bool use_agent_store = false;
  int restart_count = 0;
  // GLOO_SOCKET_IFNAME: the network interfaces Gloo uses, comma-separated;
  // empty for the address this machine's hostname resolves to.
  std::string gloo_socket_ifname;
};

// "rank 1 of 4", for messages.
std::string WhoAmI(const WorldConfig& config);

// Reads the config from `env` (variable -> value). Every problem is reported
// at once, each naming its variable.
absl::StatusOr<WorldConfig> ParseWorldConfig(const std::map<std::string, std::string>& env);

// ParseWorldConfig of this process's environment.
absl::StatusOr<WorldConfig> WorldConfigFromEnvironment();

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_WORLD_CONFIG_H_
