// All file access of the project goes through here (as LevelDB's Env does):
// whole-file reads with errors that name the path, and atomic writes, so that
// a crash never leaves a half-written file where a good one was.

#ifndef MDENAS_BASE_FILE_H_
#define MDENAS_BASE_FILE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mdenas {

// Reads the whole file at `path`.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Replaces the file at `path` with `contents` atomically: writes a temporary
// file beside it, flushes it to disk, then renames it over `path`. Readers see
// either the old or the new contents, never a mix, even after a crash.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents);

// Appends `contents` to the existing file at `path` and flushes it to disk:
// for files that readers follow as they grow (TensorBoard's event files). A
// crash may leave part of `contents` at the end.
absl::Status AppendToFile(const std::string& path, absl::string_view contents);

// Creates `path` and its missing parents, like `mkdir -p`.
absl::Status MakeDirectories(const std::string& path);

bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);

// The names (not paths) of the entries of directory `path`, sorted, without
// "." and "..".
absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& path);

// `a/b` without doubled or missing slashes; `b` wins when it is absolute.
std::string JoinPath(absl::string_view a, absl::string_view b);

// A path the user typed, made absolute against the directory the user was in.
// `bazel run` starts binaries in their runfiles tree and names the user's
// directory in $BUILD_WORKING_DIRECTORY; elsewhere the current directory is it.
std::string UserPath(const std::string& path);

}  // namespace mdenas

#endif  // MDENAS_BASE_FILE_H_
