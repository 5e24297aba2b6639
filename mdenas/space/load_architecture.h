// An architecture as a user names it on the command line or in a spec: a
// built-in name or the text form of its space, a file holding the text
// form, or a run directory (the architecture.txt a search left there).

#ifndef MDENAS_SPACE_LOAD_ARCHITECTURE_H_
#define MDENAS_SPACE_LOAD_ARCHITECTURE_H_

#include <string>

#include "absl/status/statusor.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

// The architecture of `space` that `name_or_path` names, checked; a file's
// errors name the file.
absl::StatusOr<Architecture> LoadArchitecture(const SearchSpace& space,
                                              const std::string& name_or_path);

// Whether LoadArchitecture reads `name_or_path` from the file system (it is
// neither a built-in name nor the text form).
bool IsArchitecturePath(const SearchSpace& space, const std::string& name_or_path);

}  // namespace mdenas

#endif  // MDENAS_SPACE_LOAD_ARCHITECTURE_H_
