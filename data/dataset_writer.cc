#include "data/dataset_writer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/cifar_binary.h"
#include "data/image_folder.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

// High enough that converting to JPEG loses little; CIFAR-10 as JPEG in
// ../shared was made at 75.
constexpr int kJpegQuality = 95;

absl::Status WriteCifarBin(const Dataset& data, const std::string& dir) {
  return WriteCifar10Binary(*data.train, *data.test, dir);
}

absl::Status WriteJpegFolders(const Dataset& data, const std::string& dir) {
  MDENAS_RETURN_IF_ERROR(
      WriteImageFolder(*data.train, JoinPath(dir, "train"), kJpegQuality));
  return WriteImageFolder(*data.test, JoinPath(dir, "test"), kJpegQuality);
}

}  // namespace

const std::vector<DatasetWriter>& DatasetWriters() {
  static const auto* const kWriters = new std::vector<DatasetWriter>{
      {"cifar-bin",
       "the official CIFAR-10 binary layout (data_batch_1..5.bin, "
       "test_batch.bin, batches.meta.txt); 32x32 RGB images, labels < 256",
       WriteCifarBin},
      {"jpeg-folders",
       "train/<class>/NNNN.jpg and test/<class>/NNNN.jpg, JPEG quality 95",
       WriteJpegFolders},
  };
  return *kWriters;
}

absl::StatusOr<const DatasetWriter*> FindDatasetWriter(absl::string_view name) {
  std::vector<std::string> names;
  for (const DatasetWriter& writer : DatasetWriters()) {
    if (writer.name == name) return &writer;
    names.push_back(writer.name);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown output format \"",
                                                 name, "\"; the formats are ",
                                                 absl::StrJoin(names, ", ")));
}

}  // namespace mdenas
