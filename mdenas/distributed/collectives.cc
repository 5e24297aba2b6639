#include "mdenas/distributed/collectives.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/distributed/disagreement.h"
#include "mdenas/distributed/tensor_collectives.h"

namespace mdenas {
namespace {

// Buffers are small; one bucket holds a whole network's.
constexpr int64_t kBufferBucketBytes = int64_t{64} << 20;

}  // namespace

absl::StatusOr<std::vector<double>> SumAcrossRanks(const World& world,
                                                   const std::vector<double>& values) {
  return AllReduceDoubles(world, values, c10d::ReduceOp::SUM, "sums");
}

absl::StatusOr<bool> TrueOnAllRanks(const World& world, bool value) {
  MDENAS_ASSIGN_OR_RETURN(
      std::vector<int64_t> minimum,
      AllReduceInt64s(world, {value ? 1 : 0}, c10d::ReduceOp::MIN, "a yes/no decision"));
  return minimum[0] == 1;
}

absl::Status AverageBuffers(const World& world, const std::vector<torch::Tensor>& buffers) {
  return ReduceInPlace(world, buffers, Reduction::kMean, kBufferBucketBytes, "buffers").status();
}

absl::Status CheckSameOnAllRanks(const World& world, absl::string_view what,
                                 absl::string_view bytes) {
  const int64_t hash = static_cast<int64_t>(StableHash(bytes));
  MDENAS_ASSIGN_OR_RETURN(std::vector<std::vector<int64_t>> hashes,
                          AllGatherInt64s(world, {hash}, absl::StrCat("the hash of ", what)));
  std::vector<std::string> hex;
  for (const std::vector<int64_t>& one : hashes) {
    hex.push_back(absl::StrFormat("%016x", static_cast<uint64_t>(one[0])));
  }
  const std::string disagreement = DescribeDisagreement(hex);
  if (disagreement.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      world.WhoAmI(), ": ", what, " differs across ranks (64-bit hashes: ", disagreement, ")"));
}

}  // namespace mdenas
