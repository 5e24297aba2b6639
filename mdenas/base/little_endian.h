// Unsigned integers as little-endian bytes, the byte order of the project's
// framed files (checkpoints) and of TensorBoard's event records.

#ifndef MDENAS_BASE_LITTLE_ENDIAN_H_
#define MDENAS_BASE_LITTLE_ENDIAN_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mdenas {

// Appends the `bytes` low bytes of `value`, least significant first.
inline void AppendLittleEndian(uint64_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(value >> (8 * i)));
}

// The value of the first `bytes` bytes of `data` (at least that many).
inline uint64_t ReadLittleEndian(absl::string_view data, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(data[i]);
  return value;
}

}  // namespace mdenas

#endif  // MDENAS_BASE_LITTLE_ENDIAN_H_
