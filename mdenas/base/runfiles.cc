#include "mdenas/base/runfiles.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "mdenas/base/file.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mdenas {

absl::StatusOr<std::string> RunfilePath(const char* argv0,
                                        const std::string& file) {
  using bazel::tools::cpp::runfiles::Runfiles;
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::Create(argv0, &error));
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
}

}  // namespace mdenas
