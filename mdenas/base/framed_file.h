// Files that must be whole to be used (checkpoints): a magic tag, the
// payload's length and CRC-32, then the payload. A truncated, padded,
// corrupted or foreign file is detected on reading, with a message that says
// which. Written atomically (file.h).

#ifndef MDENAS_BASE_FRAMED_FILE_H_
#define MDENAS_BASE_FRAMED_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mdenas {

// `payload` framed under `magic` (8 characters): what WriteFramedFile writes.
std::string FrameBytes(absl::string_view magic, absl::string_view payload);

// Writes `payload` framed under `magic` (8 characters) to `path`, atomically.
absl::Status WriteFramedFile(const std::string& path, absl::string_view magic,
                             absl::string_view payload);

// The payload of the framed file at `path`, whose magic must be `magic`.
absl::StatusOr<std::string> ReadFramedFile(const std::string& path,
                                           absl::string_view magic);

// The payload of `file`, the contents of a framed file; `source` names it
// in errors.
absl::StatusOr<std::string> UnframeBytes(absl::string_view file,
                                         absl::string_view magic,
                                         const std::string& source);

}  // namespace mdenas

#endif  // MDENAS_BASE_FRAMED_FILE_H_
