// IDX files, the format of MNIST and Fashion-MNIST: two zero bytes, a type
// byte, the number of dimensions, each dimension as a big-endian uint32, then
// the values in row-major order. Only unsigned bytes (type 0x08) are read.
// Files may be gzipped. A data set folder holds train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte,
// each with or without a .gz suffix.

#ifndef MDENAS_DATA_IDX_H_
#define MDENAS_DATA_IDX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/image_set.h"

namespace mdenas {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;  // The product of dims, row-major.
};

// Parses the whole of a file, gunzipping it first if it starts with gzip's
// magic bytes. Errors name `source`; a header whose dimensions disagree with
// the number of value bytes is one.
absl::StatusOr<IdxArray> ParseIdx(absl::string_view contents,
                                  const std::string& source);

// Whether `dir` holds the training images of an IDX data set.
bool HasIdxFiles(const std::string& dir);

// Reads `split` of the IDX data set in `dir`: images N x H x W (grey) or
// N x H x W x C, and N labels. The classes are named by number, "0" to the
// largest label.
absl::StatusOr<ImageSet> ReadIdx(const std::string& dir, DataSplit split);

}  // namespace mdenas

#endif  // MDENAS_DATA_IDX_H_
