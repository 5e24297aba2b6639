// One rank of the distributed tests: joins the world its environment
// describes, does what --case says, and prints each outcome as a line
// "<name>: <value or error>" for the test to check.

#include <torch/torch.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "mdenas/distributed/collectives.h"
#include "mdenas/distributed/gradient_all_reduce.h"
#include "mdenas/distributed/parameters_test_util.h"
#include "mdenas/distributed/process_group.h"
#include "mdenas/distributed/world_config.h"

ABSL_FLAG(std::string, case, "join",
          "join, gradients, gradients_mismatch, collectives, exit_early or stall");
ABSL_FLAG(std::string, agreement_key, "key", "passed to World::Join");
ABSL_FLAG(std::string, collectives, "gloo", "gloo or nccl, passed to World::Join");
ABSL_FLAG(double, timeout_s, 5, "World::Join's timeout, for the rendezvous and every collective");
ABSL_FLAG(int64_t, bucket_bytes, mdenas::kDefaultGradientBucketBytes, "gradient bucket size");
ABSL_FLAG(std::string, out, "", "file prefix for tensors the test compares (+ rank + .pt)");
ABSL_FLAG(int, exit_rank, 1,
          "exit_early: the rank that leaves right after joining; stall: the rank that sleeps for "
          "twice the timeout first");

namespace mdenas {
namespace {

void Print(const std::string& name, const absl::Status& status) {
  std::cout << name << ": " << (status.ok() ? "ok" : status.ToString()) << std::endl;
}

std::string OutPath(const World& world) {
  return absl::GetFlag(FLAGS_out) + std::to_string(world.rank()) + ".pt";
}

int Gradients(const World& world, bool mismatch) {
  std::vector<torch::Tensor> parameters =
      TestParameters(world.rank(), mismatch && world.rank() == 1);
  std::vector<torch::Tensor> values_before;
  for (const torch::Tensor& parameter : parameters)
    values_before.push_back(parameter.detach().clone());
  absl::StatusOr<GradientSum> sum =
      SumGradients(world, parameters, absl::GetFlag(FLAGS_bucket_bytes));
  Print("gradients", sum.status());
  if (!sum.ok()) return 1;
  std::cout << "buckets: " << sum->buckets << "\ngradients: " << sum->gradients
            << "\nvalues: " << sum->values << std::endl;
  std::vector<torch::Tensor> gradients;
  bool untouched = true;
  for (size_t i = 0; i < parameters.size(); ++i) {
    untouched = untouched && torch::equal(parameters[i].detach(), values_before[i]);
    if (parameters[i].grad().defined()) gradients.push_back(parameters[i].grad());
  }
  std::cout << "parameter values untouched: " << untouched << std::endl;
  torch::save(gradients, OutPath(world));
  return 0;
}

int Collectives(const World& world) {
  const int rank = world.rank();
  absl::StatusOr<std::vector<double>> sums = SumAcrossRanks(world, {rank + 1.0, 10.5});
  Print("sums status", sums.status());
  if (sums.ok()) std::cout << "sums: " << absl::StrJoin(*sums, " ") << std::endl;
  absl::StatusOr<bool> only_rank_0 = TrueOnAllRanks(world, rank == 0);
  absl::StatusOr<bool> everywhere = TrueOnAllRanks(world, true);
  if (only_rank_0.ok() && everywhere.ok()) {
    std::cout << "true only on rank 0: " << *only_rank_0 << "\ntrue everywhere: " << *everywhere
              << std::endl;
  }

  torch::nn::BatchNorm2d norm(3);
  norm->to(world.device());
  {
    torch::NoGradGuard no_grad;
    norm->running_mean.fill_(rank + 1);
    norm->running_var.fill_(2.0 * (rank + 1));
    norm->num_batches_tracked.fill_(3 * rank + 4);
  }
  std::vector<torch::Tensor> buffers = norm->buffers();
  Print("buffers", AverageBuffers(world, buffers));
  for (torch::Tensor& buffer : buffers) buffer = buffer.cpu();
  torch::save(buffers, OutPath(world));

  Print("same text", CheckSameOnAllRanks(world, "the same text", "abc"));
  Print("different path", CheckSameOnAllRanks(world, "the sampled path", rank == 1 ? "b" : "a"));
  return 0;
}

int Main() {
  absl::StatusOr<WorldConfig> config = WorldConfigFromEnvironment();
  Print("config", config.status());
  if (!config.ok()) return 2;
  absl::StatusOr<std::unique_ptr<World>> world = World::Join(
      *config, absl::Seconds(absl::GetFlag(FLAGS_timeout_s)), absl::GetFlag(FLAGS_agreement_key),
      absl::GetFlag(FLAGS_collectives) == "nccl" ? Collectives::kNccl : Collectives::kGloo);
  Print("join", world.status());
  if (!world.ok()) return 1;
  const std::string test_case = absl::GetFlag(FLAGS_case);
  if (test_case == "join") return 0;
  if (test_case == "gradients" || test_case == "gradients_mismatch") {
    return Gradients(**world, test_case == "gradients_mismatch");
  }
  if (test_case == "collectives") return Collectives(**world);
  if (test_case == "exit_early" || test_case == "stall") {
    // A first collective, so that the rank leaves after everyone joined.
    Print("before leaving", TrueOnAllRanks(**world, true).status());
    if ((*world)->rank() == absl::GetFlag(FLAGS_exit_rank)) {
      if (test_case == "exit_early") return 0;
      absl::SleepFor(2 * (*world)->timeout());
    }
    return Gradients(**world, false);
  }
  std::cout << "unknown --case " << test_case << std::endl;
  return 2;
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return mdenas::Main();
}
