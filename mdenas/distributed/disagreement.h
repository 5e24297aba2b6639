// Names the ranks that hold different values of something that must be the
// same everywhere (the agreement key, a hash of the sampled path).

#ifndef MDENAS_DISTRIBUTED_DISAGREEMENT_H_
#define MDENAS_DISTRIBUTED_DISAGREEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mdenas {

// `value_of_rank[r]` is rank r's value. Empty if all are equal; otherwise
// the ranks grouped by value, e.g. `ranks 0, 2: "a"; rank 1: "b"`.
std::string DescribeDisagreement(const std::vector<std::string>& value_of_rank);

// A 64-bit hash of `bytes` (FNV-1a) that is the same in every process and
// build, unlike absl::Hash and std::hash, which may be seeded per process.
uint64_t StableHash(absl::string_view bytes);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_DISAGREEMENT_H_
