#include "mdenas/run/run_directory.h"

#include <unistd.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "mdenas/base/file.h"
#include "mdenas/base/json.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {

absl::Status RunDirectory::CheckCreatable(const std::string& path) {
  // A run stopped before its first checkpoint has nothing to keep; it may
  // start again in place.
  if (PathExists(JoinPath(path, kCheckpointFile))) {
    return absl::AlreadyExistsError(absl::StrCat(
        path, " already holds a run (", kCheckpointFile,
        "); continue it with --resume=", path,
        " or choose another output directory"));
  }
  std::string existing = path;
  while (!PathExists(existing)) {
    const size_t slash = existing.find_last_of('/');
    existing = slash == std::string::npos ? "."
               : slash == 0               ? "/"
                                          : existing.substr(0, slash);
  }
  if (!IsDirectory(existing)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "output directory ", path, ": ", existing, " is not a directory"));
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "output directory ", path, ": cannot write in ", existing));
  }
  return absl::OkStatus();
}

absl::StatusOr<RunDirectory> RunDirectory::Create(const std::string& path,
                                                  const google::protobuf::Message& spec) {
  MDENAS_RETURN_IF_ERROR(CheckCreatable(path));
  MDENAS_RETURN_IF_ERROR(MakeDirectories(path));
  // Also fails now, not after hours of training, if nothing can be written.
  RunDirectory run(path);
  MDENAS_RETURN_IF_ERROR(run.WriteText(kSpecFile, ResolvedSpecText(spec)));
  return run;
}

absl::StatusOr<RunDirectory> RunDirectory::Open(const std::string& path) {
  if (!IsDirectory(path)) {
    return absl::NotFoundError(
        absl::StrCat(path, ": no such run directory to resume"));
  }
  if (!PathExists(JoinPath(path, kCheckpointFile))) {
    return absl::NotFoundError(absl::StrCat(
        path, " holds no ", kCheckpointFile,
        ": there is nothing to resume (the run did not finish an epoch); "
        "start it again with the same output directory"));
  }
  // Temporary files of writes a crash interrupted.
  MDENAS_ASSIGN_OR_RETURN(const std::vector<std::string> names,
                          ListDirectory(path));
  for (const std::string& name : names) {
    if (name.find(".tmp.") != std::string::npos) {
      std::remove(JoinPath(path, name).c_str());
    }
  }
  return RunDirectory(path);
}

std::string RunDirectory::DefaultPath() {
  const std::time_t now = std::time(nullptr);
  std::tm local;
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &local);
  return UserPath(JoinPath("runs", stamp));
}

std::string RunDirectory::File(absl::string_view name) const {
  return JoinPath(path_, name);
}

absl::Status RunDirectory::WriteText(absl::string_view name,
                                     absl::string_view contents) const {
  return WriteFileAtomically(File(name), contents);
}

absl::Status RunDirectory::WriteJson(
    absl::string_view name, const google::protobuf::Message& message) const {
  const absl::StatusOr<std::string> json = ProtoJson(message);
  if (!json.ok()) {
    return absl::InternalError(absl::StrCat("cannot write ", name, ": ", json.status().message()));
  }
  return WriteText(name, *json);
}

}  // namespace mdenas
