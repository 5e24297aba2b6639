// Fuzzes the reader of TensorBoard event files (length and data CRCs, Event
// protobufs). The first byte picks the input's meaning: odd, a whole file;
// even, one record's data that the harness frames with valid CRCs, so that
// mutations get past the checksums and reach the protobuf parser. Beyond not
// crashing: a framed record reads as one event or as an error.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "mdenas/tensorboard/crc32c.h"
#include "mdenas/tensorboard/event_file.h"

namespace {

void AppendLittleEndian(uint64_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(value >> (8 * i)));
}

std::string Framed(absl::string_view data) {
  std::string length;
  AppendLittleEndian(data.size(), 8, &length);
  std::string record = length;
  AppendLittleEndian(mdenas::tensorboard::MaskedCrc32c(length), 4, &record);
  record.append(data.data(), data.size());
  AppendLittleEndian(mdenas::tensorboard::MaskedCrc32c(data), 4, &record);
  return record;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 1) {
    (void)mdenas::tensorboard::ReadEventFile(rest);
    return 0;
  }
  const auto events = mdenas::tensorboard::ReadEventFile(Framed(rest));
  if (events.ok() && events->size() != 1) std::abort();
  return 0;
}
