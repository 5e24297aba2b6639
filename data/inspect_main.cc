// Prints what a data set folder holds: its format, the images per class and
// part, their size and channels, and the per-channel mean and std of
// pixel / 255 (what a Normalization needs). The first thing to run on a new
// data set:
//
//   bazel run //data:inspect -- --data=../shared/data/cifar10-jpeg

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "data/dataset.h"
#include "data/image_stats.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"

ABSL_FLAG(std::string, data, "",
          "Data set folder: CIFAR-10/100 binary, IDX or JPEG folders. "
          "Relative to the directory bazel run was started from.");
ABSL_FLAG(int64_t, stats_images, 0,
          "Images per part to decode for sizes and statistics, spread evenly "
          "over the part; 0: all (for ImageNet-sized folders, try 10000).");

namespace mdenas {
namespace {

// `count` indices spread evenly over [0, size), or all of them.
std::vector<int64_t> Sample(int64_t size, int64_t count) {
  if (count <= 0 || count >= size) count = size;
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < count; ++i) indices.push_back(i * size / count);
  return indices;
}

std::string Range(int low, int high) {
  return low == high ? absl::StrCat(low) : absl::StrCat(low, " to ", high);
}

std::string Values(const std::vector<double>& values) {
  return absl::StrJoin(values, " ", [](std::string* out, double value) {
    absl::StrAppend(out, absl::StrFormat("%.4f", value));
  });
}

absl::Status Inspect(const std::string& path, int64_t stats_images) {
  // JPEG files are decoded one at a time, so that any folder fits.
  OpenOptions options;
  options.decode_jpeg_into_memory = false;
  MDENAS_ASSIGN_OR_RETURN(const Dataset data, OpenDataset(path, options));
  const std::vector<std::string>& classes = data.train->class_names();
  absl::PrintF("data      %s\n", data.location.directory);
  absl::PrintF("format    %s\n", DataFormatName(data.location.format));
  absl::PrintF("classes   %d\n", classes.size());
  absl::PrintF("images    %d train, %d test\n", data.train->size(),
               data.test->size());

  size_t name_width = 5;
  for (const std::string& name : classes) {
    name_width = std::max(name_width, name.size());
  }
  std::vector<int64_t> train_counts(classes.size());
  std::vector<int64_t> test_counts(classes.size());
  for (const int32_t label : data.train->labels()) ++train_counts[label];
  for (const int32_t label : data.test->labels()) ++test_counts[label];
  absl::PrintF("\n%-*s %8s %8s\n", name_width, "class", "train", "test");
  for (size_t c = 0; c < classes.size(); ++c) {
    absl::PrintF("%-*s %8d %8d\n", name_width, classes[c], train_counts[c],
                 test_counts[c]);
  }
  absl::PrintF("\n");

  for (const auto& [part, source] : {std::make_pair("train", data.train),
                                     std::make_pair("test", data.test)}) {
    MDENAS_ASSIGN_OR_RETURN(
        const ImageStats stats,
        ComputeImageStats(*source, Sample(source->size(), stats_images)));
    absl::PrintF("%-5s  %d images read: height %s, width %s, channels %s\n",
                 part, stats.images, Range(stats.min_height, stats.max_height),
                 Range(stats.min_width, stats.max_width),
                 Range(stats.min_channels, stats.max_channels));
    absl::PrintF("       pixel / 255 per channel: mean %s, std %s\n",
                 Values(stats.mean), Values(stats.std));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Prints the format, class counts, image sizes and pixel statistics of "
      "a data set.\nUsage: inspect --data=<folder>");
  mdenas::ParseCommandLine(argc, argv);
  const std::string data = absl::GetFlag(FLAGS_data);
  if (data.empty()) {
    std::fprintf(stderr, "inspect: --data=<folder> is required\n");
    return 2;
  }
  const absl::Status status = mdenas::Inspect(
      mdenas::UserPath(data), absl::GetFlag(FLAGS_stats_images));
  if (!status.ok()) {
    std::fprintf(stderr, "inspect: %s\n",
                 std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
