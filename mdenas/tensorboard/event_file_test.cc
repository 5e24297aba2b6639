#include "mdenas/tensorboard/event_file.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/tensorboard/crc32c.h"

namespace mdenas::tensorboard {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A 3x2 red RGB PNG file.
const std::string& RedPng() {
  static const std::string* png = new std::string(
      "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x03\x00\x00"
      "\x00\x02\x08\x02\x00\x00\x00\x12\x16\xf1\x4d\x00\x00\x00\x10\x49\x44\x41\x54\x78\xda\x63"
      "\xf8\xcf\xc0\x00\x41\x0c\x70\x16\x00\x41\xd2\x05\xfb\x6f\xf1\x16\xc7\x00\x00\x00\x00\x49"
      "\x45\x4e\x44\xae\x42\x60\x82",
      73);
  return *png;
}

// A file with every kind of value: the version event and 6 more.
EventFile SampleFile() {
  EventFile file(1000.5);
  file.AddScalar("loss", 0, 1001.0, 2.5f);
  file.AddScalar("loss", 1, 1002.0, 0.0f);
  EXPECT_TRUE(file.AddDistribution("alpha", 0, 1001.0, {0.25, 0.5, 0.25}).ok());
  EXPECT_TRUE(file.AddDistribution("alpha", 1, 1002.0, {0.0, 0.75, 0.25}).ok());
  EXPECT_TRUE(file.AddImage("cell", 1, 1002.0, RedPng()).ok());
  file.AddScalar("accuracy", 1, 1002.0, 0.75f);
  return file;
}

// `data` framed as a record, as TensorFlow's record format says.
std::string Record(absl::string_view data) {
  std::string record;
  auto append = [&record](uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) record.push_back(static_cast<char>(value >> (8 * i)));
  };
  append(data.size(), 8);
  append(MaskedCrc32c(record), 4);
  record.append(data.data(), data.size());
  append(MaskedCrc32c(data), 4);
  return record;
}

// The byte offsets where the records of `bytes` start, from their lengths.
std::vector<size_t> RecordStarts(const std::string& bytes) {
  std::vector<size_t> starts;
  for (size_t offset = 0; offset < bytes.size();) {
    starts.push_back(offset);
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<uint8_t>(bytes[offset + i]);
    offset += 8 + 4 + length + 4;
  }
  return starts;
}

// The index of the record that holds byte `offset`, and where it starts.
std::string RecordAt(const std::vector<size_t>& starts, size_t offset) {
  size_t record = 0;
  while (record + 1 < starts.size() && starts[record + 1] <= offset) ++record;
  return absl::StrCat("event record ", record, " at byte ", starts[record], ":");
}

TEST(EventFileTest, FileNameIsOneTensorBoardReads) {
  EXPECT_THAT(kEventFileName, HasSubstr("tfevents"));
}

TEST(EventFileTest, FirstEventIsTheVersionAtTheStartTime) {
  const absl::StatusOr<std::vector<Event>> events = ReadEventFile(EventFile(1234.25).bytes());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1);
  EXPECT_EQ((*events)[0].file_version(), "brain.Event:2");
  EXPECT_EQ((*events)[0].wall_time(), 1234.25);
}

TEST(EventFileTest, RecordsAreFramedAsTensorFlowFramesThem) {
  Event version;
  version.set_wall_time(1000.5);
  version.set_file_version("brain.Event:2");
  EXPECT_EQ(EventFile(1000.5).bytes(), Record(version.SerializeAsString()));

  const std::string bytes = SampleFile().bytes();
  const absl::StatusOr<std::vector<Event>> events = ReadEventFile(bytes);
  ASSERT_TRUE(events.ok()) << events.status();
  std::string framed;
  for (const Event& event : *events) framed += Record(event.SerializeAsString());
  EXPECT_EQ(bytes, framed);
}

TEST(EventFileTest, ValuesRoundTrip) {
  const absl::StatusOr<std::vector<Event>> events = ReadEventFile(SampleFile().bytes());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 7);
  for (size_t i = 1; i < events->size(); ++i) {
    ASSERT_EQ((*events)[i].summary().value_size(), 1) << i;
  }
  auto value = [&](int i) -> const Summary::Value& { return (*events)[i].summary().value(0); };

  EXPECT_EQ((*events)[1].step(), 0);
  EXPECT_EQ((*events)[1].wall_time(), 1001.0);
  EXPECT_EQ(value(1).tag(), "loss");
  EXPECT_EQ(value(1).simple_value(), 2.5f);
  // A zero is still a scalar, not an empty value.
  EXPECT_TRUE(value(2).has_simple_value());
  EXPECT_EQ(value(6).tag(), "accuracy");
  EXPECT_EQ(value(6).simple_value(), 0.75f);

  const HistogramProto& first = value(3).histo();
  EXPECT_EQ(value(3).tag(), "alpha");
  EXPECT_THAT(first.bucket_limit(), ElementsAre(0.5, 1.5, 2.5));
  EXPECT_THAT(first.bucket(), ElementsAre(0.25, 0.5, 0.25));
  EXPECT_EQ(first.min(), 0);
  EXPECT_EQ(first.max(), 2);
  EXPECT_EQ(first.num(), 1);
  EXPECT_EQ(first.sum(), 1);
  EXPECT_EQ(first.sum_squares(), 1.5);
  // Choice 0 has no weight: the values range from 1.
  const HistogramProto& second = value(4).histo();
  EXPECT_EQ((*events)[4].step(), 1);
  EXPECT_THAT(second.bucket(), ElementsAre(0.0, 0.75, 0.25));
  EXPECT_EQ(second.min(), 1);
  EXPECT_EQ(second.max(), 2);
  EXPECT_EQ(second.sum(), 1.25);
  EXPECT_EQ(second.sum_squares(), 1.75);

  const Summary::Image& image = value(5).image();
  EXPECT_EQ(value(5).tag(), "cell");
  EXPECT_EQ(image.width(), 3);
  EXPECT_EQ(image.height(), 2);
  EXPECT_EQ(image.colorspace(), 3);
  EXPECT_EQ(image.encoded_image_string(), RedPng());
}

TEST(EventFileTest, SameCallsGiveSameBytes) {
  EXPECT_EQ(SampleFile().bytes(), SampleFile().bytes());
}

TEST(EventFileTest, FlippedByteAnywhereIsRejectedNamingItsRecord) {
  const std::string bytes = SampleFile().bytes();
  const std::vector<size_t> starts = RecordStarts(bytes);
  for (size_t offset = 0; offset < bytes.size(); ++offset) {
    std::string corrupt = bytes;
    corrupt[offset] ^= 0x01;
    const absl::StatusOr<std::vector<Event>> events = ReadEventFile(corrupt);
    ASSERT_FALSE(events.ok()) << "flipped byte " << offset;
    EXPECT_EQ(events.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(events.status().message(), HasSubstr(RecordAt(starts, offset))) << offset;
    EXPECT_THAT(events.status().message(), HasSubstr("CRC does not match")) << offset;
  }
}

TEST(EventFileTest, TruncatedFileIsRejectedNamingTheCutRecord) {
  const std::string bytes = SampleFile().bytes();
  const std::vector<size_t> starts = RecordStarts(bytes);
  for (size_t size = 1; size < bytes.size(); ++size) {
    const absl::StatusOr<std::vector<Event>> events = ReadEventFile(bytes.substr(0, size));
    const auto boundary = std::find(starts.begin(), starts.end(), size);
    if (boundary != starts.end()) {
      // Cut between records: a shorter file, as when it was written.
      ASSERT_TRUE(events.ok()) << size << ": " << events.status();
      EXPECT_EQ(events->size(), boundary - starts.begin());
      continue;
    }
    ASSERT_FALSE(events.ok()) << "cut at " << size;
    EXPECT_THAT(events.status().message(), HasSubstr(RecordAt(starts, size)));
    EXPECT_THAT(events.status().message(), HasSubstr("truncated"));
  }
}

TEST(EventFileTest, DataThatIsNotAnEventIsRejected) {
  // Field number 0 is no protobuf's.
  const std::string bytes = EventFile(1).bytes() + Record(std::string(2, '\0'));
  const absl::StatusOr<std::vector<Event>> events = ReadEventFile(bytes);
  ASSERT_FALSE(events.ok());
  EXPECT_THAT(events.status().message(), HasSubstr("event record 1 at byte "));
  EXPECT_THAT(events.status().message(), HasSubstr("not an Event"));
}

TEST(EventFileTest, NonPngImageIsRefusedAndNothingAdded) {
  EventFile file(1);
  const std::string before = file.bytes();
  for (const std::string& not_png :
       {std::string("GIF89a\x03\x00\x02\x00", 10), RedPng().substr(0, 20),
        absl::StrCat(RedPng().substr(0, 12), "IDAT", RedPng().substr(16))}) {
    const absl::Status status = file.AddImage("cell", 0, 2, not_png);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("image cell: not a PNG file"));
  }
  EXPECT_EQ(file.bytes(), before);
}

TEST(EventFileTest, DistributionWithoutChoicesOrWithBadWeightsIsRefused) {
  EventFile file(1);
  const std::string before = file.bytes();
  EXPECT_EQ(file.AddDistribution("alpha", 0, 2, {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(file.AddDistribution("alpha", 0, 2, {0.5, -0.5}).message(),
              HasSubstr("choice 1 has probability -0.5"));
  EXPECT_FALSE(file.AddDistribution("alpha", 0, 2, {NAN}).ok());
  EXPECT_EQ(file.bytes(), before);
}

// The interpreter for the Python cross-checks: $MDENAS_PYTHON, the virtual
// environment with TensorBoard that bazelw installs (over Debian's
// python3-crc32c), or else /usr/bin/python3.
std::string Python() {
  const char* python = std::getenv("MDENAS_PYTHON");
  return python != nullptr ? python : "/usr/bin/python3";
}

// SampleFile() written to $TEST_TMPDIR, for the Python checks.
std::string WriteSampleFile() {
  const std::string dir = JoinPath(std::getenv("TEST_TMPDIR"), "run");
  EXPECT_TRUE(MakeDirectories(dir).ok());
  const std::string path = JoinPath(dir, kEventFileName);
  EXPECT_TRUE(WriteFileAtomically(path, SampleFile().bytes()).ok());
  return path;
}

ProcessResult RunCheckScript(const std::vector<std::string>& args) {
  const absl::StatusOr<std::string> script =
      RunfilePath(nullptr, "mdenas/tensorboard/check_event_file.py");
  EXPECT_TRUE(script.ok()) << script.status();
  std::vector<std::string> argv = {Python(), script.value_or("")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

TEST(EventFileTest, PythonCrc32cChecksEveryRecord) {
  const ProcessResult result = RunCheckScript({WriteSampleFile()});
  ASSERT_TRUE(result.exited && result.exit_code == 0) << result.output;
  EXPECT_EQ(result.output, "records: 7\n");
}

TEST(EventFileTest, PythonCrc32cCheckFindsAFlippedByte) {
  std::string bytes = SampleFile().bytes();
  bytes[RecordStarts(bytes)[3] + 20] ^= 0x01;
  const std::string path = JoinPath(std::getenv("TEST_TMPDIR"), "flipped.tfevents");
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
  const ProcessResult result = RunCheckScript({path});
  EXPECT_TRUE(result.exited && result.exit_code == 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("record 3 at byte "));
  EXPECT_THAT(result.output, HasSubstr("data CRC mismatch"));
}

TEST(EventFileTest, TensorBoardReadsTheValues) {
  const ProcessResult import = RunProcess({Python(), "-c", "import tensorboard"});
  if (!import.exited || import.exit_code != 0) {
    // Only a plain `bazel test` may run without one; bazelw names its own.
    if (std::getenv("MDENAS_PYTHON") != nullptr) {
      FAIL() << "MDENAS_PYTHON=" << Python() << " cannot import tensorboard: " << import.output;
    }
    GTEST_SKIP() << Python() << " cannot import tensorboard: run the tests with ./bazelw, or "
                 << "name a python that has TensorBoard in MDENAS_PYTHON";
  }
  const ProcessResult result = RunCheckScript({"--tensorboard", WriteSampleFile()});
  ASSERT_TRUE(result.exited && result.exit_code == 0) << result.output;
  for (const char* line : {
           "file_version 2.0\n",
           "first_event_time 1000.5\n",
           "scalar loss 0 1001.0 2.5\n",
           "scalar loss 1 1002.0 0.0\n",
           "scalar accuracy 1 1002.0 0.75\n",
           "histogram alpha 0 1001.0 min=0.0 max=2.0 num=1.0 sum=1.0 sum_squares=1.5 "
           "bucket_limit=[0.5, 1.5, 2.5] bucket=[0.25, 0.5, 0.25]\n",
           "histogram alpha 1 1002.0 min=1.0 max=2.0 num=1.0 sum=1.25 sum_squares=1.75 "
           "bucket_limit=[0.5, 1.5, 2.5] bucket=[0.0, 0.75, 0.25]\n",
           "image cell 1 1002.0 3x2 73 bytes\n",
       }) {
    EXPECT_THAT(result.output, HasSubstr(line));
  }
}

}  // namespace
}  // namespace mdenas::tensorboard
