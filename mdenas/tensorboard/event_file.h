// TensorBoard event files, built whole in memory and read back checked.
//
// A file is a sequence of records as TensorFlow's TFRecord writer frames
// them, integers little-endian:
//   uint64 length, uint32 masked CRC-32C of those 8 bytes,
//   `length` bytes of data (a serialized Event), uint32 masked CRC-32C of it.
// The first Event gives the format version, "brain.Event:2".
//
// Callers rewrite the file from their whole history each time (atomically,
// mdenas/base/file.h), so the same calls must give the same bytes: nothing
// here reads a clock; every time is the caller's.
//
//   EventFile file(start_time);
//   file.AddScalar("loss", epoch, time, loss);
//   MDENAS_RETURN_IF_ERROR(WriteFileAtomically(JoinPath(dir, kEventFileName),
//                                              file.bytes()));

#ifndef MDENAS_TENSORBOARD_EVENT_FILE_H_
#define MDENAS_TENSORBOARD_EVENT_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mdenas/tensorboard/event.pb.h"

namespace mdenas::tensorboard {

// TensorBoard reads the files whose names contain "tfevents". The name is
// fixed because the file is replaced, never added to beside an old one.
inline constexpr char kEventFileName[] = "events.out.tfevents.mdenas";

class EventFile {
 public:
  // A file whose version event is stamped `start_wall_time` (seconds since
  // the Unix epoch).
  explicit EventFile(double start_wall_time);

  void AddScalar(absl::string_view tag, int64_t step, double wall_time, float value);

  // A categorical distribution as a histogram, so that TensorBoard's
  // histogram view shows each choice's probability: choice i is the value i
  // with weight probabilities[i], in its own bucket [i - 0.5, i + 0.5)
  // (bucket_limit i + 0.5, bucket probabilities[i]); min and max are the
  // first and last choice of nonzero probability, num the sum of weights,
  // sum and sum_squares those of i and i * i weighted. Fails if there are no
  // choices or a probability is negative or not finite.
  absl::Status AddDistribution(absl::string_view tag, int64_t step, double wall_time,
                               absl::Span<const double> probabilities);

  // A PNG image, whose width and height come from its IHDR chunk. Fails if
  // `png` is not a PNG file.
  absl::Status AddImage(absl::string_view tag, int64_t step, double wall_time, std::string png);

  // The whole file so far.
  const std::string& bytes() const { return bytes_; }

 private:
  void AddEvent(const Event& event);
  void AddSummaryValue(int64_t step, double wall_time, Summary::Value value);

  std::string bytes_;
};

// One record of an event file holding `data`: its length (uint64, little
// endian), the masked CRC-32C of the length, the data, the data's masked
// CRC-32C.
std::string FramedRecord(absl::string_view data);

// The events of the event file `bytes`, every record's length and data
// checked against their CRCs. An error names the record (counted from 0) and
// the byte offset where it starts.
absl::StatusOr<std::vector<Event>> ReadEventFile(absl::string_view bytes);

}  // namespace mdenas::tensorboard

#endif  // MDENAS_TENSORBOARD_EVENT_FILE_H_
