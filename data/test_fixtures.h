// Small data sets written by tests under $TEST_TMPDIR, in each format, with
// pixel values that tests can predict. The writers here follow the formats'
// specifications independently of the library's own writers.

#ifndef MDENAS_DATA_TEST_FIXTURES_H_
#define MDENAS_DATA_TEST_FIXTURES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "data/image_set.h"

namespace mdenas {

// Why a test that reads the shared data sets was skipped.
inline constexpr char kNoSharedData[] =
    "MDENAS_SHARED_DATA is not set (./bazelw sets it where ../shared/data "
    "exists)";

// $MDENAS_SHARED_DATA/<relative>, or "" when the variable is not set.
std::string SharedDataPath(const std::string& relative);

// The message of `status`, as a std::string for gMock's string matchers
// (Debian's Abseil has its own string_view).
std::string Message(const absl::Status& status);

// A folder $TEST_TMPDIR/<name>, created empty.
std::string MakeTestDir(const std::string& name);

// The value PatternImage puts at row y, column x, channel c of image `id`: a
// smooth ramp, which JPEG at quality 100 keeps within a few levels.
uint8_t PatternPixel(int id, int y, int x, int c);

// An image whose pixels are PatternPixel(id, y, x, c).
Image PatternImage(int id, int height, int width, int channels);

// A set of `labels.size()` pattern images, image i having id i.
ImageSet PatternSet(int height, int width, int channels,
                    const std::vector<int32_t>& labels,
                    std::vector<std::string> class_names);

// One CIFAR record: `label_bytes` (1 for CIFAR-10, 2 for CIFAR-100), then the
// R, G and B planes of the 32x32x3 `image`.
std::string CifarRecord(const std::vector<uint8_t>& label_bytes,
                        const Image& image);

// Writes `contents` to `path`.
void WriteTestFile(const std::string& path, const std::string& contents);

// An IDX file of unsigned bytes with the given dimensions and values.
std::string IdxFile(const std::vector<uint32_t>& dims,
                    const std::vector<uint8_t>& values);

// The gzip compression of `data`.
std::string Gzip(const std::string& data);

// Writes `count` pattern images of the given shape as root/<class>/NNNN.jpg
// (quality 100), ids starting at `first_id`.
void WriteJpegClass(const std::string& root, const std::string& class_name,
                    int count, int height, int width, int channels,
                    int first_id = 0);

// A CIFAR-10 binary release in $TEST_TMPDIR/<name>: the five training
// batches and the test batch with `per_file` pattern images each, labels
// cycling through the 10 classes. Returns the folder.
std::string WriteCifar10Fixture(const std::string& name, int per_file);

}  // namespace mdenas

#endif  // MDENAS_DATA_TEST_FIXTURES_H_
