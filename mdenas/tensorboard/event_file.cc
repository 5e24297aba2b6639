#include "mdenas/tensorboard/event_file.h"

#include <climits>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mdenas/base/little_endian.h"
#include "mdenas/tensorboard/crc32c.h"

namespace mdenas::tensorboard {
namespace {

// A record's length and its CRC before the data; the data's CRC after it.
constexpr size_t kHeaderSize = 8 + 4;
constexpr size_t kFooterSize = 4;

uint32_t ReadBigEndian32(absl::string_view data) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(data[i]);
  return value;
}

// An image summary with the size and colour space of `png`, read from its
// IHDR chunk, which PNG requires first: after the 8-byte signature, chunk
// length 13 and type "IHDR", big-endian width and height, bit depth, colour
// type.
absl::StatusOr<Summary::Image> PngImage(absl::string_view png) {
  constexpr absl::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
  if (png.size() < 8 + 8 + 13 || png.substr(0, 8) != kSignature ||
      ReadBigEndian32(png.substr(8)) != 13 || png.substr(12, 4) != "IHDR") {
    return absl::InvalidArgumentError("not a PNG file: no PNG signature and IHDR chunk");
  }
  const uint32_t width = ReadBigEndian32(png.substr(16));
  const uint32_t height = ReadBigEndian32(png.substr(20));
  if (width == 0 || height == 0 || width > INT32_MAX || height > INT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PNG file: its IHDR chunk says ", width, "x", height));
  }
  Summary::Image image;
  image.set_width(static_cast<int32_t>(width));
  image.set_height(static_cast<int32_t>(height));
  // TensorFlow's colour space of each PNG colour type: grey 0 -> 1, grey and
  // alpha 4 -> 2, RGB 2 -> 3, RGBA 6 -> 4; a palette (3) has none of its own.
  constexpr int kColorspace[] = {1, 0, 3, 0, 2, 0, 4};
  const uint8_t color_type = static_cast<uint8_t>(png[25]);
  if (color_type < 7 && kColorspace[color_type] != 0) {
    image.set_colorspace(kColorspace[color_type]);
  }
  return image;
}

}  // namespace

EventFile::EventFile(double start_wall_time) {
  Event event;
  event.set_wall_time(start_wall_time);
  event.set_file_version("brain.Event:2");
  AddEvent(event);
}

void EventFile::AddScalar(absl::string_view tag, int64_t step, double wall_time, float value) {
  Summary::Value summary_value;
  summary_value.set_tag(std::string(tag));
  summary_value.set_simple_value(value);
  AddSummaryValue(step, wall_time, std::move(summary_value));
}

absl::Status EventFile::AddDistribution(absl::string_view tag, int64_t step, double wall_time,
                                        absl::Span<const double> probabilities) {
  if (probabilities.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("distribution ", tag, " has no choices"));
  }
  Summary::Value summary_value;
  summary_value.set_tag(std::string(tag));
  HistogramProto& histogram = *summary_value.mutable_histo();
  bool any_weight = false;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const double p = probabilities[i];
    if (!std::isfinite(p) || p < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("distribution ", tag, ": choice ", i, " has probability ", p));
    }
    const double value = static_cast<double>(i);
    histogram.add_bucket_limit(value + 0.5);
    histogram.add_bucket(p);
    if (p == 0) continue;
    if (!any_weight) histogram.set_min(value);
    any_weight = true;
    histogram.set_max(value);
    histogram.set_num(histogram.num() + p);
    histogram.set_sum(histogram.sum() + p * value);
    histogram.set_sum_squares(histogram.sum_squares() + p * value * value);
  }
  AddSummaryValue(step, wall_time, std::move(summary_value));
  return absl::OkStatus();
}

absl::Status EventFile::AddImage(absl::string_view tag, int64_t step, double wall_time,
                                 std::string png) {
  absl::StatusOr<Summary::Image> image = PngImage(png);
  if (!image.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("image ", tag, ": ", image.status().message()));
  }
  image->set_encoded_image_string(std::move(png));
  Summary::Value summary_value;
  summary_value.set_tag(std::string(tag));
  *summary_value.mutable_image() = *std::move(image);
  AddSummaryValue(step, wall_time, std::move(summary_value));
  return absl::OkStatus();
}

void EventFile::AddSummaryValue(int64_t step, double wall_time, Summary::Value value) {
  Event event;
  event.set_wall_time(wall_time);
  event.set_step(step);
  *event.mutable_summary()->add_value() = std::move(value);
  AddEvent(event);
}

std::string FramedRecord(absl::string_view data) {
  std::string record;
  AppendLittleEndian(data.size(), 8, &record);
  AppendLittleEndian(MaskedCrc32c(record), 4, &record);
  record.append(data.data(), data.size());
  AppendLittleEndian(MaskedCrc32c(data), 4, &record);
  return record;
}

void EventFile::AddEvent(const Event& event) { bytes_ += FramedRecord(event.SerializeAsString()); }

absl::StatusOr<std::vector<Event>> ReadEventFile(absl::string_view bytes) {
  std::vector<Event> events;
  for (size_t offset = 0; offset < bytes.size();) {
    auto error = [&](absl::string_view what) {
      return absl::DataLossError(
          absl::StrCat("event record ", events.size(), " at byte ", offset, ": ", what));
    };
    const absl::string_view record = bytes.substr(offset);
    if (record.size() < kHeaderSize) {
      return error(absl::StrCat("truncated: ", record.size(), " bytes, less than a header"));
    }
    if (ReadLittleEndian(record.substr(8), 4) != MaskedCrc32c(record.substr(0, 8))) {
      return error("the length's CRC does not match");
    }
    const uint64_t length = ReadLittleEndian(record, 8);
    const size_t room = record.size() - kHeaderSize;
    if (room < kFooterSize || length > room - kFooterSize) {
      return error(absl::StrCat("truncated: ", length, " bytes of data and their CRC, only ", room,
                                " bytes left"));
    }
    const absl::string_view data = record.substr(kHeaderSize, length);
    if (ReadLittleEndian(record.substr(kHeaderSize + length), 4) != MaskedCrc32c(data)) {
      return error("the data's CRC does not match");
    }
    // Protobuf parses at most 2 GiB, its messages' limit.
    Event event;
    if (length > INT_MAX || !event.ParseFromArray(data.data(), static_cast<int>(length))) {
      return error("the data is not an Event");
    }
    events.push_back(std::move(event));
    offset += kHeaderSize + length + kFooterSize;
  }
  return events;
}

}  // namespace mdenas::tensorboard
