#include "mdenas/base/framed_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "mdenas/base/file.h"
#include "mdenas/base/little_endian.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

constexpr size_t kMagicSize = 8;
// Magic, payload length (8 bytes), CRC-32 (4 bytes), little-endian.
constexpr size_t kHeaderSize = kMagicSize + 8 + 4;

uint32_t Crc32(absl::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes at most 4 GiB per call.
  while (!data.empty()) {
    const size_t chunk = std::min<size_t>(data.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()),
                static_cast<uInt>(chunk));
    data.remove_prefix(chunk);
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace

std::string FrameBytes(absl::string_view magic, absl::string_view payload) {
  std::string file;
  file.reserve(kHeaderSize + payload.size());
  file.append(magic.data(), magic.size());
  AppendLittleEndian(payload.size(), 8, &file);
  AppendLittleEndian(Crc32(payload), 4, &file);
  file.append(payload.data(), payload.size());
  return file;
}

absl::Status WriteFramedFile(const std::string& path, absl::string_view magic,
                             absl::string_view payload) {
  if (magic.size() != kMagicSize) {
    return absl::InvalidArgumentError("framed-file magic must be 8 characters");
  }
  return WriteFileAtomically(path, FrameBytes(magic, payload));
}

absl::StatusOr<std::string> ReadFramedFile(const std::string& path,
                                           absl::string_view magic) {
  MDENAS_ASSIGN_OR_RETURN(const std::string file, ReadFile(path));
  return UnframeBytes(file, magic, path);
}

absl::StatusOr<std::string> UnframeBytes(absl::string_view file,
                                         absl::string_view magic,
                                         const std::string& source) {
  if (file.size() < kHeaderSize || file.substr(0, kMagicSize) != magic) {
    return absl::DataLossError(absl::StrCat(
        source, ": not a ", magic, " file (",
        file.size() < kMagicSize ? "too short for its header" : "wrong magic",
        ")"));
  }
  const uint64_t length = ReadLittleEndian(file.substr(8), 8);
  const uint32_t crc = static_cast<uint32_t>(ReadLittleEndian(file.substr(16), 4));
  const uint64_t actual = file.size() - kHeaderSize;
  if (actual != length) {
    return absl::DataLossError(absl::StrCat(
        source, ": ", actual < length ? "truncated" : "has trailing bytes",
        ": the header announces ", length, " bytes of payload, the file holds ",
        actual));
  }
  const absl::string_view payload = file.substr(kHeaderSize);
  if (Crc32(payload) != crc) {
    return absl::DataLossError(
        absl::StrCat(source, ": corrupted: the payload's CRC-32 does not match"));
  }
  return std::string(payload);
}

}  // namespace mdenas
