#include "mdenas/base/problems.h"

#include "absl/strings/str_join.h"

namespace mdenas {

void Problems::Add(const absl::Status& status) {
  if (!status.ok()) statuses_.push_back(status);
}

absl::Status Problems::ToStatus() const {
  if (statuses_.empty()) return absl::OkStatus();
  std::vector<std::string> messages;
  for (const absl::Status& status : statuses_) {
    messages.emplace_back(status.message());
  }
  return absl::Status(statuses_.front().code(), absl::StrJoin(messages, "\n"));
}

}  // namespace mdenas
