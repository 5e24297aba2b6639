#include "mdenas/distributed/process_group.h"

#include <chrono>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/distributed/c10d_call.h"
#include "mdenas/distributed/disagreement.h"
#include "mdenas/distributed/local_address.h"
#include "mdenas/distributed/nccl_group.h"

namespace mdenas {
namespace {

std::string Where(const WorldConfig& config) {
  return absl::StrCat(config.master_addr, ":", config.master_port, " (MASTER_ADDR:MASTER_PORT)");
}

std::vector<uint8_t> Bytes(absl::string_view text) { return {text.begin(), text.end()}; }

// The TCPStore: rank 0 hosts it, unless torchrun's agent already does.
absl::StatusOr<c10::intrusive_ptr<c10d::Store>> ConnectStore(const WorldConfig& config,
                                                             absl::Duration timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(config.master_port);
  options.isServer = !config.use_agent_store && config.rank == 0;
  options.numWorkers = config.world_size;
  // Join waits for the ranks itself, to name the ones that did not come.
  options.waitWorkers = false;
  options.timeout = absl::ToChronoMilliseconds(timeout);
  c10::intrusive_ptr<c10d::Store> store;
  const absl::Time started = absl::Now();
  try {
    store = c10::make_intrusive<c10d::TCPStore>(config.master_addr, options);
  } catch (const std::exception& error) {
    if (options.isServer) {
      return absl::UnavailableError(absl::StrCat(
          "rank 0 cannot host the rendezvous store on port ", config.master_port,
          " (MASTER_PORT): ", ExceptionMessage(error),
          "\nis another job using that port? Choose a free MASTER_PORT for every rank"));
    }
    return absl::UnavailableError(
        absl::StrCat("rank ", config.rank, " could not reach the rendezvous store ",
                     config.use_agent_store ? "of torchrun's agent " : "", "at ", Where(config),
                     "; gave up after ",
                     absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Seconds(1))),
                     " (timeout ", absl::FormatDuration(timeout), "): ", ExceptionMessage(error),
                     "\nis rank 0 running, and can this host reach MASTER_ADDR?"));
  }
  if (!config.use_agent_store) return store;
  // torch/distributed/rendezvous.py, _create_c10d_store: the agent's store
  // is shared by every restart; each attempt's workers use their own keys.
  return c10::intrusive_ptr<c10d::Store>(c10::make_intrusive<c10d::PrefixStore>(
      absl::StrCat("/worker/attempt_", config.restart_count), store));
}

// Every rank publishes its agreement key and reads everyone's; a rank that
// does not come within the timeout, or a key that differs, is an error on
// every rank.
absl::Status Agree(c10d::Store& store, const WorldConfig& config, absl::Duration timeout,
                   absl::string_view agreement_key) {
  const std::string me = WhoAmI(config);
  std::vector<std::string> keys;
  for (int rank = 0; rank < config.world_size; ++rank) {
    keys.push_back(absl::StrCat("agreement/", rank));
  }
  std::vector<std::string> value_of_rank;
  try {
    store.set(keys[config.rank], Bytes(agreement_key));
    try {
      store.wait(keys, absl::ToChronoMilliseconds(timeout));
    } catch (const std::exception& error) {
      std::vector<int> missing;
      for (int rank = 0; rank < config.world_size; ++rank) {
        if (!store.check({keys[rank]})) missing.push_back(rank);
      }
      return absl::DeadlineExceededError(absl::StrCat(
          me, " waited ", absl::FormatDuration(timeout), " at the rendezvous store ", Where(config),
          " for rank", missing.size() == 1 ? " " : "s ", absl::StrJoin(missing, ", "), " to join; ",
          missing.size() == 1 ? "it has" : "they have",
          " not started, exited, or cannot reach MASTER_ADDR (see ",
          missing.size() == 1 ? "its" : "their", " output)"));
    }
    for (const std::string& key : keys) {
      const std::vector<uint8_t> value = store.get(key);
      value_of_rank.emplace_back(value.begin(), value.end());
    }
    // The host of the store stays until every rank has read the keys, so
    // that each sees a mismatch itself rather than a closed connection.
    if (store.add("agreement/read", 1) == config.world_size) {
      store.set("agreement/all_read", Bytes("1"));
    }
    if (config.rank == 0 && !config.use_agent_store) {
      store.wait({"agreement/all_read"}, absl::ToChronoMilliseconds(timeout));
    }
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat(me, " lost the rendezvous store at ", Where(config),
                                               ": ", ExceptionMessage(error)));
  }
  const std::string disagreement = DescribeDisagreement(value_of_rank);
  if (!disagreement.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        me,
        ": the ranks were started with different agreement keys (the spec or the build "
        "differs): ",
        disagreement, "\nstart every rank with the same spec and the same binary"));
  }
  return absl::OkStatus();
}

// Gloo's network devices: the interfaces in GLOO_SOCKET_IFNAME, as
// torch.distributed does; otherwise this host's address on the route to
// MASTER_ADDR, which the other ranks reach it by too. torch's own default,
// the address the hostname resolves to, is 127.0.0.1 or 127.0.1.1 on many
// machines (Debian's /etc/hosts): then ranks on other hosts, or in other
// network namespaces, cannot connect. Where no route is found, torch's
// default.
absl::StatusOr<std::vector<std::shared_ptr<gloo::transport::Device>>> GlooDevices(
    const WorldConfig& config) {
  std::vector<std::shared_ptr<gloo::transport::Device>> devices;
  try {
    if (config.gloo_socket_ifname.empty()) {
      absl::StatusOr<std::string> address =
          LocalAddressTowards(config.master_addr, config.master_port);
      devices.push_back(address.ok() ? c10d::ProcessGroupGloo::createDeviceForHostname(*address)
                                     : c10d::ProcessGroupGloo::createDefaultDevice());
      return devices;
    }
    for (absl::string_view name :
         absl::StrSplit(config.gloo_socket_ifname, ',', absl::SkipEmpty())) {
      devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(std::string(name)));
    }
  } catch (const std::exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank ", config.rank, ": GLOO_SOCKET_IFNAME=\"", config.gloo_socket_ifname,
                     "\" names no usable network interface: ", ExceptionMessage(error)));
  }
  if (devices.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank ", config.rank, ": GLOO_SOCKET_IFNAME=\"", config.gloo_socket_ifname,
                     "\" names no network interface; unset it to use the hostname's address"));
  }
  return devices;
}

}  // namespace

World::World(const WorldConfig& config, absl::Duration timeout, c10::Device device)
    : config_(config), timeout_(timeout), device_(device) {}

World::~World() = default;

std::string World::WhoAmI() const { return mdenas::WhoAmI(config_); }

absl::StatusOr<std::string> World::ValueOfRankZero(absl::string_view name,
                                                   absl::string_view value) {
  if (config_.world_size == 1) return std::string(value);
  const std::string key = absl::StrCat("rank_zero/", name);
  try {
    if (config_.rank == 0) {
      store_->set(key, Bytes(value));
      return std::string(value);
    }
    store_->wait({key}, absl::ToChronoMilliseconds(timeout_));
    const std::vector<uint8_t> bytes = store_->get(key);
    return std::string(bytes.begin(), bytes.end());
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat(
        WhoAmI(), " did not get ", name, " from rank 0 within ", absl::FormatDuration(timeout_),
        ": ", ExceptionMessage(error), "\nrank 0 has probably stopped; its output says why"));
  }
}

absl::StatusOr<std::unique_ptr<World>> World::Join(const WorldConfig& config,
                                                   absl::Duration timeout,
                                                   absl::string_view agreement_key,
                                                   Collectives collectives) {
  const bool nccl = collectives == Collectives::kNccl;
  std::unique_ptr<World> world(
      new World(config, timeout, nccl ? NcclDevice(config) : c10::Device(c10::kCPU)));
  if (config.world_size == 1) return world;
  if (nccl) MDENAS_RETURN_IF_ERROR(CheckNcclUsable(config));

  MDENAS_ASSIGN_OR_RETURN(c10::intrusive_ptr<c10d::Store> tcp_store, ConnectStore(config, timeout));
  world->store_ = c10::make_intrusive<c10d::PrefixStore>("mdenas", tcp_store);
  MDENAS_RETURN_IF_ERROR(Agree(*world->store_, config, timeout, agreement_key));
  if (nccl) {
    MDENAS_ASSIGN_OR_RETURN(
        world->process_group_,
        ConnectNccl(c10::make_intrusive<c10d::PrefixStore>("nccl", world->store_), config,
                    timeout));
    return world;
  }

  MDENAS_ASSIGN_OR_RETURN(auto devices, GlooDevices(config));
  auto options = c10d::ProcessGroupGloo::Options::create(absl::ToChronoMilliseconds(timeout));
  options->devices = std::move(devices);
  try {
    world->process_group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(
        c10::make_intrusive<c10d::PrefixStore>("gloo", world->store_), config.rank,
        config.world_size, options);
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat(
        world->WhoAmI(), " could not connect its Gloo process group to the other ranks within ",
        absl::FormatDuration(timeout), ": ", ExceptionMessage(error),
        "\nif the hosts have several networks, set GLOO_SOCKET_IFNAME to the interface they "
        "share"));
  }
  return world;
}

}  // namespace mdenas
