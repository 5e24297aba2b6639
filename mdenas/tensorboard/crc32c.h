// CRC-32C (Castagnoli), the checksum of TensorFlow's record format that
// TensorBoard event files use. Abseil 20220623 has none and Debian 12 no
// libcrc32c, so it is computed here.

#ifndef MDENAS_TENSORBOARD_CRC32C_H_
#define MDENAS_TENSORBOARD_CRC32C_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace mdenas::tensorboard {

// The CRC-32C of `data`: reflected polynomial 0x82F63B78, initial value and
// final XOR 0xFFFFFFFF.
uint32_t Crc32c(absl::string_view data);

// The CRC-32C of `data` masked as TensorFlow's records store it, rotated and
// offset: a CRC computed over data that holds CRCs would be weak otherwise.
uint32_t MaskedCrc32c(absl::string_view data);

}  // namespace mdenas::tensorboard

#endif  // MDENAS_TENSORBOARD_CRC32C_H_
