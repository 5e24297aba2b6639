// Names the ranks that hold different values of something that must be the
// same everywhere (the agreement key, a hash of the sampled path).

#ifndef MDENAS_DISTRIBUTED_DISAGREEMENT_H_
#define MDENAS_DISTRIBUTED_DISAGREEMENT_H_

#include <string>
#include <vector>

namespace mdenas {

// `value_of_rank[r]` is rank r's value. Empty if all are equal; otherwise
// the ranks grouped by value, e.g. `ranks 0, 2: "a"; rank 1: "b"`.
std::string DescribeDisagreement(const std::vector<std::string>& value_of_rank);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_DISAGREEMENT_H_
