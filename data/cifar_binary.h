// The official binary releases of CIFAR-10 and CIFAR-100
// (https://www.cs.toronto.edu/~kriz/cifar.html).
//
// CIFAR-10, in cifar-10-batches-bin/: data_batch_1.bin ... data_batch_5.bin
// (the training split) and test_batch.bin. A record is one label byte and
// 3,072 pixel bytes: the 32x32 red plane, then green, then blue, each row by
// row. batches.meta.txt names the classes, one a line.
// CIFAR-100, in cifar-100-binary/: train.bin and test.bin. A record is a
// coarse label byte (20 superclasses), a fine label byte (100 classes) and the
// same 3,072 pixel bytes; the fine label is the label. fine_label_names.txt
// names the classes.
// Without a names file the readers use the official names.

#ifndef MDENAS_DATA_CIFAR_BINARY_H_
#define MDENAS_DATA_CIFAR_BINARY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/image_set.h"
#include "data/image_source.h"

namespace mdenas {

enum class CifarVariant { kCifar10, kCifar100 };

// Decodes the records of `contents`, the whole of a file that errors call
// `source`, and appends them to `set`. `set` must be 32x32x3; its class_names
// bound the valid labels. A partial record at the end (a truncated or
// oversized file) or a label out of range is an error naming `source` and the
// record's index and byte offset.
absl::Status AppendCifarRecords(CifarVariant variant,
                                absl::string_view contents,
                                const std::string& source, ImageSet* set);

// Whether `dir` holds the first training file of `variant`'s release.
bool HasCifarBinaryFiles(CifarVariant variant, const std::string& dir);

// Reads `split` of the release in `dir`, the folder that holds the .bin files.
absl::StatusOr<ImageSet> ReadCifarBinary(CifarVariant variant,
                                         const std::string& dir,
                                         DataSplit split);

// Writes `train` and `test` into `dir` in CIFAR-10's layout: the training
// images in order over data_batch_1.bin ... data_batch_5.bin (as equal in size
// as the count allows; 10,000 each for 50,000), the test images in
// test_batch.bin, the class names in batches.meta.txt. Every file is written
// atomically. Every image must be 32x32 with 3 channels, and there must be at
// least one training image per batch file and one test image.
absl::Status WriteCifar10Binary(const ImageSource& train,
                                const ImageSource& test,
                                const std::string& dir);

}  // namespace mdenas

#endif  // MDENAS_DATA_CIFAR_BINARY_H_
