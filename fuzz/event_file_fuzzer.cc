// Fuzzes the reader of TensorBoard event files (length and data CRCs, Event
// protobufs). The first byte picks the input's meaning: odd, a whole file;
// even, one record's data that the harness frames with valid CRCs, so that
// mutations get past the checksums and reach the protobuf parser. Beyond not
// crashing: a framed record reads as one event or as an error.

#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "mdenas/tensorboard/event_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 1) {
    (void)mdenas::tensorboard::ReadEventFile(rest);
    return 0;
  }
  const auto events = mdenas::tensorboard::ReadEventFile(mdenas::tensorboard::FramedRecord(rest));
  if (events.ok() && events->size() != 1) std::abort();
  return 0;
}
