// JPEG decoding and encoding with libjpeg-turbo. Bad data is an error that
// names its source, never an exit and never a silently grey image: libjpeg's
// fatal errors, and those of its warnings that mean pixels were lost
// (truncated data, corrupt entropy-coded data), become a Status. Warnings
// about metadata only (an unknown JFIF revision or Adobe transform, a bad ICC
// profile, stray bytes between markers) are ignored, as other decoders do.

#ifndef MDENAS_DATA_JPEG_H_
#define MDENAS_DATA_JPEG_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/image_set.h"

namespace mdenas {

// The most decoded bytes (height * width * channels) a JPEG may have: 256 MiB,
// far more than any photograph in ImageNet, so that a corrupt header cannot
// make the decoder allocate gigabytes.
inline constexpr int64_t kMaxJpegPixelBytes = int64_t{1} << 28;

// Decodes `data`, a whole JPEG file that errors call `source`, keeping its
// channels: 1 for greyscale, 3 (RGB) for colour. CMYK is an error.
absl::StatusOr<Image> DecodeJpeg(absl::string_view data,
                                 const std::string& source);

// Encodes an image of 1 or 3 channels at `quality`, in [1, 100].
absl::StatusOr<std::string> EncodeJpeg(const ImageView& image, int quality);

}  // namespace mdenas

#endif  // MDENAS_DATA_JPEG_H_
