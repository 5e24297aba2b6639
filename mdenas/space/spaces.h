// The search spaces, each selected by the member of SearchSpaceSpec.space
// (search settings) or NetworkSpec.space (retraining settings) that a spec
// sets: the one place a space is registered, beside those two oneofs.
//
//   MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<SearchSpace> space,
//                           MakeSearchSpace(spec.space()));

#ifndef MDENAS_SPACE_SPACES_H_
#define MDENAS_SPACE_SPACES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

// The names of the spaces ("darts", ...).
std::vector<std::string> SearchSpaceNames();

// The space `spec` selects, with its search settings (their defaults where
// unset; the default space where none is selected).
absl::StatusOr<std::unique_ptr<SearchSpace>> MakeSearchSpace(
    const SearchSpaceSpec& spec);

// The space `spec` selects, with default search settings: the space of a
// retraining's architecture.
absl::StatusOr<std::unique_ptr<SearchSpace>> SearchSpaceOf(const NetworkSpec& spec);

// Selects the space `name` in `spec` (a SearchSpaceSpec or a NetworkSpec):
// its settings stay as they were where it was selected already, else they
// take their defaults. What a --space flag does.
absl::Status SelectSpace(absl::string_view name, google::protobuf::Message* spec);

}  // namespace mdenas

#endif  // MDENAS_SPACE_SPACES_H_
