#include "mdenas/space/load_architecture.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/run_directory.h"

namespace mdenas {

bool IsArchitecturePath(const SearchSpace& space, const std::string& name_or_path) {
  return !space.IsArchitectureText(name_or_path);
}

absl::StatusOr<Architecture> LoadArchitecture(const SearchSpace& space,
                                              const std::string& name_or_path) {
  if (!IsArchitecturePath(space, name_or_path)) return space.ParseArchitecture(name_or_path);
  const std::string path = IsDirectory(name_or_path)
                               ? JoinPath(name_or_path, kArchitectureFile)
                               : name_or_path;
  if (!PathExists(path)) {
    return absl::NotFoundError(absl::StrCat(
        space.name(), " architecture '", name_or_path, "' is neither a built-in (",
        absl::StrJoin(space.BuiltinArchitectures(), ", "),
        "), nor its text form, nor a file or run directory",
        path == name_or_path ? "" : absl::StrCat(" with ", path)));
  }
  MDENAS_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  absl::StatusOr<Architecture> architecture =
      space.ParseArchitecture(absl::StripTrailingAsciiWhitespace(text));
  if (!architecture.ok()) {
    return absl::Status(architecture.status().code(),
                        absl::StrCat(path, ": ", architecture.status().message()));
  }
  return architecture;
}

}  // namespace mdenas
