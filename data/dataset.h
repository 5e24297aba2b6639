// Opening a data set folder in any of the formats the project reads, found
// by looking at the names in it:
//   cifar10-bin   data_batch_1.bin ... test_batch.bin, in the folder or in its
//                 cifar-10-batches-bin/ (cifar_binary.h)
//   cifar100-bin  train.bin and test.bin, in the folder or in its
//                 cifar-100-binary/ (cifar_binary.h)
//   idx           train-images-idx3-ubyte[.gz] and the rest (idx.h)
//   jpeg-folders  train/<class>/*.jpg and test/<class>/ or, as ImageNet has
//                 it, val/<class>/ (image_folder.h)
// so that every binary accepts the official CIFAR release as well as JPEG
// folders.
//
//   MDENAS_ASSIGN_OR_RETURN(Dataset data, OpenDataset(UserPath(flag)));
//   ... Loader::Create(data.train, ...)  // loader.h

#ifndef MDENAS_DATA_DATASET_H_
#define MDENAS_DATA_DATASET_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/image_source.h"

namespace mdenas {

enum class DataFormat { kCifar10Binary, kCifar100Binary, kIdx, kJpegFolders };

// The name used in messages and by //data:inspect: "cifar10-bin", ...
const char* DataFormatName(DataFormat format);

// Where a data set's files are, and in which format.
struct DataLocation {
  DataFormat format;
  // The folder that holds the files, e.g. path/cifar-10-batches-bin.
  std::string directory;
};

// Finds the format of the data set in folder `path`. A missing folder, or one
// that matches no format, is an error that says what was looked for.
absl::StatusOr<DataLocation> DetectFormat(const std::string& path);

struct OpenOptions {
  // JPEG folders only. True: decode every image when the data set is opened
  // and hold the pixels in memory; all images must have the size and the
  // channels of the first (CIFAR-10 as JPEG). False: decode each image when
  // it is read, keeping its own size and channels (ImageNet). Default: true.
  bool decode_jpeg_into_memory = true;
};

// A data set's two parts, which share their class names.
struct Dataset {
  DataLocation location;
  std::shared_ptr<const ImageSource> train;
  // test/, or ImageNet's val/.
  std::shared_ptr<const ImageSource> test;
};

absl::StatusOr<Dataset> OpenDataset(const std::string& path,
                                    const OpenOptions& options = {});

}  // namespace mdenas

#endif  // MDENAS_DATA_DATASET_H_
