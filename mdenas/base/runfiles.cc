#include "mdenas/base/runfiles.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "mdenas/base/file.h"
#ifndef MDENAS_SOURCE_DIR
#include "tools/cpp/runfiles/runfiles.h"
#endif

namespace mdenas {

absl::StatusOr<std::string> RunfilePath(const char* argv0,
                                        const std::string& file) {
#ifdef MDENAS_SOURCE_DIR
  // The CMake build (CMakeLists.txt) names its build and source folders.
  (void)argv0;
  for (const char* root : {MDENAS_BINARY_DIR, MDENAS_SOURCE_DIR}) {
    const std::string path = JoinPath(root, file);
    if (PathExists(path)) return path;
  }
  return absl::NotFoundError(absl::StrCat("cannot find ", file, " in ",
                                          MDENAS_BINARY_DIR, " or ",
                                          MDENAS_SOURCE_DIR));
#else
  using bazel::tools::cpp::runfiles::Runfiles;
  std::string error;
  std::unique_ptr<Runfiles> runfiles(argv0 == nullptr
                                         ? Runfiles::CreateForTest(&error)
                                         : Runfiles::Create(argv0, &error));
  if (runfiles == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot find ", file, " among the runfiles: ", error));
  }
  const std::string path = runfiles->Rlocation(JoinPath("mdenas", file));
  if (path.empty() || !PathExists(path)) {
    return absl::NotFoundError(
        absl::StrCat("cannot find ", file, " among the runfiles"));
  }
  return path;
#endif
}

}  // namespace mdenas
