// The processes that train one network together, data-parallel, as the
// training loop sees them: each holds the same network, trains on its
// shard of every batch and evaluates its shard of every evaluation, and
// they meet only here. A single process (SingleProcess) has nothing to
// exchange; mdenas/distributed/world_replicas.h exchanges over c10d.
//
// Every call is collective: every replica makes it at the same point with
// arguments of the same shape, and a replica gone or stalled makes it fail
// (within a timeout) on the others.

#ifndef MDENAS_TRAINING_REPLICAS_H_
#define MDENAS_TRAINING_REPLICAS_H_

#include <torch/types.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mdenas/training/step.h"

namespace mdenas {

// GradientCombiner::Combine sums the gradients: each replica weights its
// loss by its share of the whole batch, so the sum is the whole batch's.
class Replicas : public GradientCombiner {
 public:
  // This process's place among `count()` replicas, 0-based. Replica 0
  // writes the run directory.
  virtual int rank() const = 0;
  virtual int count() const = 0;
  // Replicas on this machine, this one included: they share its cores.
  virtual int count_here() const = 0;
  // This process's place among them, 0-based: the GPU it takes.
  virtual int rank_here() const = 0;

  // The element-wise sums of every replica's `values` (counts and sums of
  // losses: exact for integers below 2^53).
  virtual absl::StatusOr<std::vector<double>> Sum(const std::vector<double>& values) = 0;
  // True if `value` is true on every replica.
  virtual absl::StatusOr<bool> AllTrue(bool value) = 0;
  // Averages `buffers` (BatchNorm running statistics) in place; integer ones
  // round down.
  virtual absl::Status AverageBuffers(const std::vector<torch::Tensor>& buffers) = 0;
  // An error, on every replica, if `bytes` differ across them; `what` names
  // them in it.
  virtual absl::Status CheckSame(absl::string_view what, absl::string_view bytes) = 0;
};

class SingleProcess final : public Replicas {
 public:
  absl::Status Combine(const std::vector<torch::Tensor>&) override { return absl::OkStatus(); }
  int rank() const override { return 0; }
  int count() const override { return 1; }
  int count_here() const override { return 1; }
  int rank_here() const override { return 0; }
  absl::StatusOr<std::vector<double>> Sum(const std::vector<double>& values) override {
    return values;
  }
  absl::StatusOr<bool> AllTrue(bool value) override { return value; }
  absl::Status AverageBuffers(const std::vector<torch::Tensor>&) override {
    return absl::OkStatus();
  }
  absl::Status CheckSame(absl::string_view, absl::string_view) override { return absl::OkStatus(); }
};

// This process alone: one SingleProcess for every job that is not told of
// others (it holds no state).
inline Replicas* OneProcess() {
  static SingleProcess single_process;
  return &single_process;
}

}  // namespace mdenas

#endif  // MDENAS_TRAINING_REPLICAS_H_
