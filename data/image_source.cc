#include "data/image_source.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mdenas {

absl::StatusOr<ImageView> ImageSetSource::Read(int64_t index,
                                               Image* /*scratch*/) const {
  if (index < 0 || index >= set_.size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "image index ", index, " is outside the set of ", set_.size()));
  }
  return set_.image(index);
}

}  // namespace mdenas
