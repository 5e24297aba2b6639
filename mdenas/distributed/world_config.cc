#include "mdenas/distributed/world_config.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mdenas/base/problems.h"

extern char** environ;

namespace mdenas {
namespace {

using Env = std::map<std::string, std::string>;

// The variables that carry the four numbers under one launcher.
struct Names {
  const char* rank;
  const char* world_size;
  const char* local_rank;
  const char* local_world_size;
};

constexpr Names kTorchrunNames = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"};
constexpr Names kSlurmNames = {"SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID",
                               "SLURM_NTASKS_PER_NODE"};

const std::string* Find(const Env& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

// The integer that variable `name` holds; a problem naming it if it is not
// set (saying `why` it is needed) or not an integer.
std::optional<int> ReadInt(const Env& env, const std::string& name, absl::string_view why,
                           Problems* problems) {
  const std::string* value = Find(env, name);
  if (value == nullptr) {
    problems->Add(absl::InvalidArgumentError(absl::StrCat(name, " is not set; ", why)));
    return std::nullopt;
  }
  int number = 0;
  if (!absl::SimpleAtoi(*value, &number)) {
    problems->Add(
        absl::InvalidArgumentError(absl::StrCat(name, "=\"", *value, "\" is not an integer")));
    return std::nullopt;
  }
  return number;
}

// SLURM_TASKS_PER_NODE, e.g. "2(x3),1": the tasks on each node of the step,
// in node order; nullopt if it does not parse.
std::optional<std::vector<int>> ExpandTasksPerNode(absl::string_view text) {
  std::vector<int> tasks;
  for (absl::string_view group : absl::StrSplit(text, ',')) {
    int count = 0;
    int repeat = 1;
    const size_t open = group.find('(');
    if (open != absl::string_view::npos) {
      absl::string_view times = group.substr(open + 1);
      if (!absl::ConsumePrefix(&times, "x") || !absl::ConsumeSuffix(&times, ")") ||
          !absl::SimpleAtoi(times, &repeat) || repeat < 1) {
        return std::nullopt;
      }
      group = group.substr(0, open);
    }
    if (!absl::SimpleAtoi(group, &count)) return std::nullopt;
    tasks.insert(tasks.end(), repeat, count);
  }
  return tasks;
}

// Processes on this node under SLURM: SLURM_NTASKS_PER_NODE when the job
// asked for a fixed number, otherwise this node's entry (SLURM_NODEID) of
// SLURM_TASKS_PER_NODE.
std::optional<int> SlurmLocalWorldSize(const Env& env, Problems* problems) {
  if (Find(env, "SLURM_NTASKS_PER_NODE") != nullptr) {
    return ReadInt(env, "SLURM_NTASKS_PER_NODE", "", problems);
  }
  const std::string* per_node = Find(env, "SLURM_TASKS_PER_NODE");
  if (per_node == nullptr) {
    problems->Add(absl::InvalidArgumentError(
        "neither SLURM_NTASKS_PER_NODE nor SLURM_TASKS_PER_NODE is set; one of them gives the "
        "number of processes on this node"));
    return std::nullopt;
  }
  std::optional<std::vector<int>> tasks = ExpandTasksPerNode(*per_node);
  if (!tasks.has_value()) {
    problems->Add(absl::InvalidArgumentError(
        absl::StrCat("SLURM_TASKS_PER_NODE=\"", *per_node, "\" is not a list like \"2(x3),1\"")));
    return std::nullopt;
  }
  if (tasks->size() == 1) return tasks->front();
  std::optional<int> node =
      ReadInt(env, "SLURM_NODEID", "it picks this node's entry of SLURM_TASKS_PER_NODE", problems);
  if (!node.has_value()) return std::nullopt;
  if (*node < 0 || *node >= static_cast<int>(tasks->size())) {
    problems->Add(absl::InvalidArgumentError(
        absl::StrCat("SLURM_NODEID=", *node, " has no entry in SLURM_TASKS_PER_NODE=\"", *per_node,
                     "\" (", tasks->size(), " nodes)")));
    return std::nullopt;
  }
  return (*tasks)[*node];
}

// Every range and consistency check on the four numbers, naming `names`.
void CheckNumbers(const WorldConfig& config, const Names& names, Problems* problems) {
  auto add = [problems](auto&&... pieces) {
    problems->Add(absl::InvalidArgumentError(absl::StrCat(pieces...)));
  };
  if (config.world_size < 1) add(names.world_size, "=", config.world_size, " is not positive");
  if (config.rank < 0) add(names.rank, "=", config.rank, " is negative");
  if (config.world_size >= 1 && config.rank >= config.world_size) {
    add(names.rank, "=", config.rank, " is not below ", names.world_size, "=", config.world_size,
        " (ranks count from 0)");
  }
  if (config.local_world_size < 1) {
    add(names.local_world_size, "=", config.local_world_size, " is not positive");
  }
  if (config.local_rank < 0) add(names.local_rank, "=", config.local_rank, " is negative");
  if (config.local_world_size >= 1 && config.local_rank >= config.local_world_size) {
    add(names.local_rank, "=", config.local_rank, " is not below ", names.local_world_size, "=",
        config.local_world_size);
  }
  if (config.world_size >= 1 && config.local_world_size > config.world_size) {
    add(names.local_world_size, "=", config.local_world_size, " exceeds ", names.world_size, "=",
        config.world_size);
  }
}

// MASTER_ADDR and MASTER_PORT, needed by every process of a world of more
// than one.
void ReadMaster(const Env& env, WorldConfig* config, Problems* problems) {
  const std::string* addr = Find(env, "MASTER_ADDR");
  if (addr == nullptr || addr->empty()) {
    problems->Add(absl::InvalidArgumentError(absl::StrCat(
        "MASTER_ADDR is not set; with ", config->world_size,
        " processes every one needs the address of the host of rank 0",
        config->launcher == "SLURM"
            ? " (e.g. export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | "
              "head -n1))"
            : "")));
  } else {
    config->master_addr = *addr;
  }
  std::optional<int> port = ReadInt(
      env, "MASTER_PORT", "it is the port of the rendezvous store on MASTER_ADDR", problems);
  if (!port.has_value()) return;
  if (*port < 1 || *port > 65535) {
    problems->Add(absl::InvalidArgumentError(
        absl::StrCat("MASTER_PORT=", *port, " is not a TCP port (1 to 65535)")));
    return;
  }
  config->master_port = *port;
}

void ReadAgentStore(const Env& env, WorldConfig* config, Problems* problems) {
  // torch/distributed/rendezvous.py compares with str(True).
  const std::string* use = Find(env, "TORCHELASTIC_USE_AGENT_STORE");
  config->use_agent_store = use != nullptr && *use == "True";
  if (!config->use_agent_store) return;
  std::optional<int> restarts = ReadInt(
      env, "TORCHELASTIC_RESTART_COUNT",
      "with TORCHELASTIC_USE_AGENT_STORE=True it names this attempt's keys in the store", problems);
  if (restarts.has_value() && *restarts < 0) {
    problems->Add(absl::InvalidArgumentError(
        absl::StrCat("TORCHELASTIC_RESTART_COUNT=", *restarts, " is negative")));
  } else if (restarts.has_value()) {
    config->restart_count = *restarts;
  }
}

}  // namespace

std::string WhoAmI(const WorldConfig& config) {
  return absl::StrCat("rank ", config.rank, " of ", config.world_size);
}

absl::StatusOr<WorldConfig> ParseWorldConfig(const Env& env) {
  WorldConfig config;
  if (const std::string* ifname = Find(env, "GLOO_SOCKET_IFNAME")) {
    config.gloo_socket_ifname = *ifname;
  }
  const bool torchrun = Find(env, "RANK") != nullptr || Find(env, "WORLD_SIZE") != nullptr;
  const bool slurm = !torchrun && Find(env, "SLURM_PROCID") != nullptr;
  if (!torchrun && !slurm) return config;

  Problems problems;
  const Names& names = torchrun ? kTorchrunNames : kSlurmNames;
  config.launcher = torchrun ? "torchrun" : "SLURM";
  const std::string needed =
      torchrun ? "RANK and WORLD_SIZE go together" : "SLURM_PROCID and SLURM_NTASKS go together";
  std::optional<int> rank = ReadInt(env, names.rank, needed, &problems);
  std::optional<int> world_size = ReadInt(env, names.world_size, needed, &problems);
  std::optional<int> local_rank;
  std::optional<int> local_world_size;
  if (torchrun) {
    // Processes started by hand set only RANK and WORLD_SIZE: one machine.
    local_rank =
        Find(env, "LOCAL_RANK") != nullptr ? ReadInt(env, "LOCAL_RANK", "", &problems) : rank;
    local_world_size = Find(env, "LOCAL_WORLD_SIZE") != nullptr
                           ? ReadInt(env, "LOCAL_WORLD_SIZE", "", &problems)
                           : world_size;
  } else {
    local_rank = ReadInt(env, "SLURM_LOCALID", "it is this process's rank on its node", &problems);
    local_world_size = SlurmLocalWorldSize(env, &problems);
  }
  if (rank && world_size && local_rank && local_world_size) {
    config.rank = *rank;
    config.world_size = *world_size;
    config.local_rank = *local_rank;
    config.local_world_size = *local_world_size;
    CheckNumbers(config, names, &problems);
  }
  if (world_size.value_or(1) > 1) ReadMaster(env, &config, &problems);
  if (torchrun) ReadAgentStore(env, &config, &problems);
  const absl::Status status = problems.ToStatus();
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", config.launcher, " environment variables are not usable:\n", status.message()));
  }
  return config;
}

absl::StatusOr<WorldConfig> WorldConfigFromEnvironment() {
  Env env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    absl::string_view text(*entry);
    const size_t equals = text.find('=');
    if (equals == absl::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return ParseWorldConfig(env);
}

}  // namespace mdenas
