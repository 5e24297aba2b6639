// Writes a data set in another format, so that a user decodes JPEG folders
// once and then reads the compact binary release:
//
//   bazel run //data:convert -- --format=cifar-bin
//       --from=../shared/data/cifar10-jpeg --to=cifar-10-batches-bin
//
// --from takes any format OpenDataset reads; --format names a writer of
// dataset_writer.h.

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "data/dataset.h"
#include "data/dataset_writer.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"

ABSL_FLAG(std::string, from, "",
          "Data set folder to read (CIFAR-10/100 binary, IDX or JPEG "
          "folders).");
ABSL_FLAG(std::string, to, "", "Folder to write; must not exist or be empty.");
ABSL_FLAG(std::string, format, "", "Output format: cifar-bin or jpeg-folders.");

namespace mdenas {
namespace {

absl::Status Convert(const std::string& from, const std::string& to,
                     const std::string& format) {
  MDENAS_ASSIGN_OR_RETURN(const DatasetWriter* writer,
                          FindDatasetWriter(format));
  if (IsDirectory(to)) {
    MDENAS_ASSIGN_OR_RETURN(const std::vector<std::string> entries,
                            ListDirectory(to));
    if (!entries.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(to, ": exists and is not empty; choose a new folder"));
    }
  }
  MDENAS_ASSIGN_OR_RETURN(const Dataset data, OpenDataset(from));
  MDENAS_RETURN_IF_ERROR(writer->write(data, to));
  std::printf("wrote %lld training and %lld test images of %s to %s as %s\n",
              static_cast<long long>(data.train->size()),
              static_cast<long long>(data.test->size()),
              data.location.directory.c_str(), to.c_str(), writer->name);
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  std::string usage =
      "Writes a data set in another format.\n"
      "Usage: convert --from=<folder> --to=<folder> --format=<format>\n"
      "Formats:\n";
  for (const mdenas::DatasetWriter& writer : mdenas::DatasetWriters()) {
    absl::StrAppend(&usage, "  ", writer.name, ": ", writer.description, "\n");
  }
  absl::SetProgramUsageMessage(usage);
  mdenas::ParseCommandLine(argc, argv);
  const std::string from = absl::GetFlag(FLAGS_from);
  const std::string to = absl::GetFlag(FLAGS_to);
  if (from.empty() || to.empty() || absl::GetFlag(FLAGS_format).empty()) {
    std::fprintf(stderr, "convert: --from, --to and --format are required\n%s",
                 usage.c_str());
    return 2;
  }
  const absl::Status status =
      mdenas::Convert(mdenas::UserPath(from), mdenas::UserPath(to),
                      absl::GetFlag(FLAGS_format));
  if (!status.ok()) {
    std::fprintf(stderr, "convert: %s\n",
                 std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
