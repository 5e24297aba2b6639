// The problems a binary finds while checking its inputs before it starts
// work, gathered so that it reports all of them at once instead of making the
// user fix them one run at a time.
//
//   Problems problems;
//   problems.Add(LoadSpecWithFlags(...));
//   problems.Add(RunDirectory::CheckCreatable(out));
//   MDENAS_RETURN_IF_ERROR(problems.ToStatus());

#ifndef MDENAS_BASE_PROBLEMS_H_
#define MDENAS_BASE_PROBLEMS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace mdenas {

class Problems {
 public:
  // Records `status` unless it is OK.
  void Add(const absl::Status& status);

  bool empty() const { return statuses_.empty(); }

  // OK if nothing was recorded; otherwise the first problem's code with
  // every message, one per line.
  absl::Status ToStatus() const;

 private:
  std::vector<absl::Status> statuses_;
};

}  // namespace mdenas

#endif  // MDENAS_BASE_PROBLEMS_H_
