#include "data/transform.h"

#include "absl/strings/str_cat.h"

namespace mdenas {

// Statistics of the training images, as the DARTS family of code uses them.
Normalization Cifar10Normalization() {
  return {{0.49139968f, 0.48215827f, 0.44653124f},
          {0.24703233f, 0.24348505f, 0.26158768f}};
}

Normalization Cifar100Normalization() {
  return {{0.50707516f, 0.48654887f, 0.44091784f},
          {0.26733429f, 0.25643846f, 0.27615047f}};
}

// Measured with //data:inspect on the 60,000 training images.
Normalization FashionMnistNormalization() {
  return {{0.28604060f}, {0.35302424f}};
}

Normalization ImageNetNormalization() {
  return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
}

absl::Status ValidateNormalization(const Normalization& normalization,
                                   int channels) {
  if (normalization.mean.size() != static_cast<size_t>(channels) ||
      normalization.std.size() != static_cast<size_t>(channels)) {
    return absl::InvalidArgumentError(
        absl::StrCat("normalization has ", normalization.mean.size(),
                     " means and ", normalization.std.size(),
                     " standard deviations for ", channels, " channels"));
  }
  for (int c = 0; c < channels; ++c) {
    if (!(normalization.std[c] > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("normalization std of channel ", c, " is ",
                       normalization.std[c], "; it must be positive"));
    }
  }
  return absl::OkStatus();
}

}  // namespace mdenas
