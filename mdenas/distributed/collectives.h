// What the training loop exchanges across ranks besides gradients, each a
// call that every rank makes at the same point. Each waits at most the
// world's timeout and then fails naming itself; a single process returns
// its own values.
//
//   MDENAS_ASSIGN_OR_RETURN(std::vector<double> sums, SumAcrossRanks(world, {correct, total}));
//   MDENAS_ASSIGN_OR_RETURN(bool finite, TrueOnAllRanks(world, loss.isfinite().item<bool>()));
//   MDENAS_RETURN_IF_ERROR(AverageBuffers(world, BatchNormBuffers(net)));
//   MDENAS_RETURN_IF_ERROR(CheckSameOnAllRanks(world, "the sampled path", path_text));

#ifndef MDENAS_DISTRIBUTED_COLLECTIVES_H_
#define MDENAS_DISTRIBUTED_COLLECTIVES_H_

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mdenas/distributed/process_group.h"

namespace mdenas {

// The element-wise sums of every rank's `values` (e.g. validation
// {correct, total}), in double precision: exact for integers below 2^53.
absl::StatusOr<std::vector<double>> SumAcrossRanks(const World& world,
                                                   const std::vector<double>& values);

// True if `value` is true on every rank: one rank's non-finite loss makes
// every rank skip the step, so that none drifts from the others.
absl::StatusOr<bool> TrueOnAllRanks(const World& world, bool value);

// Averages `buffers` (BatchNorm running statistics) in place so that every
// rank evaluates the same network; integer ones (num_batches_tracked) round
// down. Every rank passes the same buffers in the same order.
absl::Status AverageBuffers(const World& world, const std::vector<torch::Tensor>& buffers);

// An error naming the ranks whose `bytes` differ (compared by a 64-bit
// hash); `what` names them in it, e.g. "the sampled path".
absl::Status CheckSameOnAllRanks(const World& world, absl::string_view what,
                                 absl::string_view bytes);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_COLLECTIVES_H_
