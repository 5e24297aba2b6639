#include "mdenas/distributed/disagreement.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mdenas {

std::string DescribeDisagreement(const std::vector<std::string>& value_of_rank) {
  // Groups in the order of their first rank, so rank 0's value comes first.
  std::vector<std::string> order;
  std::map<std::string, std::vector<int>> ranks_of_value;
  for (int rank = 0; rank < static_cast<int>(value_of_rank.size()); ++rank) {
    std::vector<int>& ranks = ranks_of_value[value_of_rank[rank]];
    if (ranks.empty()) order.push_back(value_of_rank[rank]);
    ranks.push_back(rank);
  }
  if (order.size() <= 1) return "";
  std::vector<std::string> groups;
  for (const std::string& value : order) {
    const std::vector<int>& ranks = ranks_of_value[value];
    groups.push_back(absl::StrCat(ranks.size() == 1 ? "rank " : "ranks ",
                                  absl::StrJoin(ranks, ", "), ": \"", value, "\""));
  }
  return absl::StrJoin(groups, "; ");
}

uint64_t StableHash(absl::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace mdenas
