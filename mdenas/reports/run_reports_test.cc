// The reports of a real (tiny) search, as a user meets them: report.html
// opened in headless Chromium, the TensorBoard event file read back record
// by record, and //mdenas:report on a run with a damaged file.

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/reports/run_files.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/tensorboard/event_file.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Binary(const std::string& name) {
  const absl::StatusOr<std::string> path = RunfilePath(nullptr, name);
  EXPECT_TRUE(path.ok()) << path.status();
  return path.value_or(name);
}

// Headless Chromium as root on a machine without network or display.
ProcessResult Chromium(const std::vector<std::string>& args) {
  static int runs = 0;
  std::vector<std::string> argv = {
      "chromium",
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--user-data-dir=" + MakeTestDir(absl::StrCat("chromium-", ++runs))};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

// The DOM of `html_file` after Chromium loaded it.
std::string RenderedDom(const std::string& html_file) {
  const ProcessResult result = Chromium({"--dump-dom", "file://" + html_file});
  EXPECT_TRUE(result.exited && result.exit_code == 0) << result.output;
  return result.output;
}

uint32_t BigEndian32(const std::string& bytes, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(bytes[at])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 3]));
}

// The distinct pixel values of an 8-bit RGB or RGBA PNG (Chromium's
// screenshots): its IDAT chunks inflated and each row's filter undone.
std::set<std::vector<uint8_t>> DistinctPixels(const std::string& png) {
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  uint32_t width = 0, height = 0;
  int channels = 0;
  std::string compressed;
  for (size_t at = 8; at + 8 <= png.size();) {
    const uint32_t length = BigEndian32(png, at);
    const std::string type = png.substr(at + 4, 4);
    if (type == "IHDR") {
      width = BigEndian32(png, at + 8);
      height = BigEndian32(png, at + 12);
      EXPECT_EQ(png[at + 16], 8) << "bit depth";
      channels = png[at + 17] == 6 ? 4 : png[at + 17] == 2 ? 3 : 0;
    } else if (type == "IDAT") {
      compressed += png.substr(at + 8, length);
    }
    at += 12 + length;
  }
  EXPECT_GT(channels, 0) << "colour type";
  const size_t stride = width * channels;
  std::vector<uint8_t> raw(height * (stride + 1));
  uLongf raw_size = raw.size();
  EXPECT_EQ(uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                       compressed.size()),
            Z_OK);
  std::vector<uint8_t> pixels(height * stride), previous(stride, 0);
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    uint8_t* row = &pixels[y * stride];
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= static_cast<size_t>(channels) ? row[i - channels] : 0;
      const int b = previous[i];
      const int c = i >= static_cast<size_t>(channels) ? previous[i - channels] : 0;
      int predicted = 0;
      if (filter == 1) predicted = a;
      if (filter == 2) predicted = b;
      if (filter == 3) predicted = (a + b) / 2;
      if (filter == 4) {
        const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      row[i] = static_cast<uint8_t>(in[i] + predicted);
    }
    previous.assign(row, row + stride);
  }
  std::set<std::vector<uint8_t>> distinct;
  for (size_t p = 0; p + channels <= pixels.size(); p += channels) {
    distinct.insert(std::vector<uint8_t>(pixels.begin() + p, pixels.begin() + p + channels));
  }
  return distinct;
}

// One column of epochs.csv, by its header name.
std::vector<double> CsvColumn(const std::string& csv, const std::string& name) {
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  const std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  const size_t column = std::find(header.begin(), header.end(), name) - header.begin();
  EXPECT_LT(column, header.size()) << name;
  std::vector<double> values;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> fields = absl::StrSplit(lines[i], ',');
    double value = 0;
    EXPECT_TRUE(column < fields.size() && absl::SimpleAtod(fields[column], &value)) << lines[i];
    values.push_back(value);
  }
  return values;
}

class RunReportsTest : public ::testing::Test {
 protected:
  // One tiny DARTS search of 3 epochs, shared by the tests.
  static void SetUpTestSuite() {
    run_ = new std::string(MakeTestDir("search"));
    const ProcessResult search =
        RunProcess({Binary("mdenas/search"), "--out=" + *run_,
                    "--data_dir=" + WriteCifar10Fixture("cifar", 8), "--epochs=3", "--batch_size=8",
                    "--threads=1", "--set=space.darts.layers=3,space.darts.init_channels=4"});
    ASSERT_TRUE(search.exited && search.exit_code == 0) << search.output;
  }
  static void TearDownTestSuite() { delete run_; }

  static std::string File(const std::string& name) { return JoinPath(*run_, name); }

  static std::string* run_;
};

std::string* RunReportsTest::run_ = nullptr;

TEST_F(RunReportsTest, ReportShowsEverySectionWithTheRunsValues) {
  const std::string dom = RenderedDom(File(kReportFile));
  for (const char* id : {"header", "summary", "architecture", "curves", "distribution", "epochs",
                         "spec", "drawing-normal", "drawing-reduce"}) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("id=\"", id, "\""))) << id;
  }
  EXPECT_THAT(dom, Not(HasSubstr("id=\"problems\"")));
  // The found genotype, the cells' operations drawn, every epoch's
  // validation accuracy, the spec's settings.
  std::string architecture = *ReadFile(File(kArchitectureFile));
  architecture.pop_back();
  EXPECT_THAT(dom, HasSubstr(architecture));
  EXPECT_THAT(dom, HasSubstr("<svg"));
  EXPECT_THAT(dom, HasSubstr("c_{k-1}"));
  const std::string epochs = *ReadFile(File(kEpochsFile));
  for (const double top1 : CsvColumn(epochs, "valid_top1")) {
    EXPECT_THAT(dom, HasSubstr(absl::StrFormat("<td>%.2f</td>", top1)));
  }
  EXPECT_THAT(dom, HasSubstr("init_channels: 4"));
  EXPECT_THAT(dom, HasSubstr("3 of 3"));  // epochs
  EXPECT_THAT(dom, HasSubstr("mean p(none)"));
  // 28 decisions' heat maps, each with 8 choices x 3 epochs.
  EXPECT_THAT(dom, HasSubstr("sep_conv_3x3, epoch 3: p = "));
}

TEST_F(RunReportsTest, ScreenshotIsNotBlank) {
  const std::string screenshot = JoinPath(MakeTestDir("screenshot"), "report.png");
  const ProcessResult result = Chromium(
      {"--screenshot=" + screenshot, "--window-size=1280,2000", "file://" + File(kReportFile)});
  ASSERT_TRUE(result.exited && result.exit_code == 0) << result.output;
  const absl::StatusOr<std::string> png = ReadFile(screenshot);
  ASSERT_TRUE(png.ok()) << png.status();
  // Text, drawings and heat maps: many colours, where a blank page has one.
  EXPECT_GT(DistinctPixels(*png).size(), 50u);
}

TEST_F(RunReportsTest, EventFileHoldsTheEpochsScalarsWithEveryChecksumValid) {
  const absl::StatusOr<std::string> bytes = ReadFile(File(tensorboard::kEventFileName));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const absl::StatusOr<std::vector<tensorboard::Event>> events = tensorboard::ReadEventFile(*bytes);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_FALSE(events->empty());
  EXPECT_EQ((*events)[0].file_version(), "brain.Event:2");

  std::map<std::string, std::vector<double>> scalars;
  int histograms = 0, images = 0;
  for (const tensorboard::Event& event : *events) {
    for (const tensorboard::Summary::Value& value : event.summary().value()) {
      if (value.has_simple_value()) scalars[value.tag()].push_back(value.simple_value());
      if (value.has_histo()) ++histograms;
      if (value.has_image()) {
        ++images;
        EXPECT_EQ(event.step(), 3);
      }
    }
  }
  const std::string epochs = *ReadFile(File(kEpochsFile));
  for (const auto& [tag, column] :
       {std::pair{"top1/train", "train_top1"}, std::pair{"top1/validation", "valid_top1"},
        std::pair{"loss/train", "train_loss"}, std::pair{"learning_rate", "learning_rate"}}) {
    const std::vector<double> expected = CsvColumn(epochs, column);
    ASSERT_EQ(scalars[tag].size(), expected.size()) << tag;
    for (size_t e = 0; e < expected.size(); ++e) {
      // float in the event, printed with fewer digits in the CSV.
      EXPECT_NEAR(scalars[tag][e], expected[e], 1e-3 * std::max(1.0, std::fabs(expected[e])))
          << tag << " epoch " << e + 1;
    }
  }
  EXPECT_EQ(scalars["distribution/mean_entropy"].size(), 3u);
  EXPECT_EQ(histograms, 3 * 28);
  EXPECT_EQ(images, 2);  // The normal and the reduction cell.
}

TEST_F(RunReportsTest, RebuildingAFinishedRunChangesNothing) {
  const std::string before = *ReadFile(File(tensorboard::kEventFileName));
  const std::string report = *ReadFile(File(kReportFile));
  const ProcessResult rebuilt = RunProcess({Binary("mdenas/report"), "--run=" + *run_});
  ASSERT_TRUE(rebuilt.exited && rebuilt.exit_code == 0) << rebuilt.output;
  EXPECT_THAT(rebuilt.output, HasSubstr(File(kReportFile)));
  EXPECT_EQ(*ReadFile(File(tensorboard::kEventFileName)), before);
  EXPECT_EQ(*ReadFile(File(kReportFile)), report);
}

TEST_F(RunReportsTest, DamagedFileIsNamedAndTheRestStillShown) {
  const std::string damaged = MakeTestDir("damaged");
  for (const char* name : {kSpecFile, kResultFile, kArchitectureDotFile, kDistributionFile}) {
    WriteTestFile(JoinPath(damaged, name), *ReadFile(File(name)));
  }
  const std::string result = *ReadFile(File(kResultFile));
  WriteTestFile(JoinPath(damaged, kResultFile), result.substr(0, result.size() / 2));

  const ProcessResult rebuilt = RunProcess({Binary("mdenas/report"), "--run=" + damaged});
  ASSERT_TRUE(rebuilt.exited);
  EXPECT_EQ(rebuilt.exit_code, 1) << rebuilt.output;
  EXPECT_THAT(rebuilt.output, HasSubstr(JoinPath(damaged, "result.json: not a RunResult")));

  const std::string dom = RenderedDom(JoinPath(damaged, kReportFile));
  EXPECT_THAT(dom, HasSubstr("id=\"problems\""));
  EXPECT_THAT(dom, HasSubstr("result.json: not a RunResult in JSON"));
  for (const char* id : {"architecture", "distribution", "spec"}) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("id=\"", id, "\""))) << id;
  }
  EXPECT_THAT(dom, Not(HasSubstr("id=\"summary\"")));
}

TEST(ReportCommandTest, RefusesWhatIsNotARunDirectory) {
  const std::string report = Binary("mdenas/report");
  ProcessResult result = RunProcess({report});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("flag --run: a run directory is required"));
  result = RunProcess({report, "--run=" + JoinPath(MakeTestDir("empty"), "absent")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("is not a directory"));
  result = RunProcess({report, "--run=" + MakeTestDir("not_a_run")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("not a run directory"));
  result = RunProcess({report, "--run=" + MakeTestDir("stray"), "extra"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("unexpected arguments"));
}

}  // namespace
}  // namespace mdenas
