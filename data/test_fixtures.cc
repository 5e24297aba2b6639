#include "data/test_fixtures.h"

#include <zlib.h>

#include <cstdlib>

#include "absl/strings/str_format.h"
#include "data/jpeg.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {

std::string SharedDataPath(const std::string& relative) {
  const char* shared = std::getenv("MDENAS_SHARED_DATA");
  return shared == nullptr ? "" : JoinPath(shared, relative);
}

std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

std::string MakeTestDir(const std::string& name) {
  const std::string dir = JoinPath(std::getenv("TEST_TMPDIR"), name);
  EXPECT_FALSE(PathExists(dir)) << dir << " is made twice";
  EXPECT_TRUE(MakeDirectories(dir).ok());
  return dir;
}

uint8_t PatternPixel(int id, int y, int x, int c) {
  // Smooth (JPEG keeps it within a few levels) and below 256 up to 32x32.
  return static_cast<uint8_t>(id * 7 % 32 + 2 * y + 2 * x + 30 * c);
}

Image PatternImage(int id, int height, int width, int channels) {
  Image image;
  image.height = height;
  image.width = width;
  image.channels = channels;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        image.pixels.push_back(PatternPixel(id, y, x, c));
      }
    }
  }
  return image;
}

ImageSet PatternSet(int height, int width, int channels,
                    const std::vector<int32_t>& labels,
                    std::vector<std::string> class_names) {
  ImageSet set;
  set.height = height;
  set.width = width;
  set.channels = channels;
  set.labels = labels;
  set.class_names = std::move(class_names);
  for (size_t i = 0; i < labels.size(); ++i) {
    const Image image =
        PatternImage(static_cast<int>(i), height, width, channels);
    set.pixels.insert(set.pixels.end(), image.pixels.begin(),
                      image.pixels.end());
  }
  return set;
}

std::string CifarRecord(const std::vector<uint8_t>& label_bytes,
                        const Image& image) {
  std::string record(label_bytes.begin(), label_bytes.end());
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 32; ++y) {
      for (int x = 0; x < 32; ++x) {
        record.push_back(static_cast<char>(image.pixels[(y * 32 + x) * 3 + c]));
      }
    }
  }
  return record;
}

void WriteTestFile(const std::string& path, const std::string& contents) {
  const absl::Status status = WriteFileAtomically(path, contents);
  ASSERT_TRUE(status.ok()) << status;
}

std::string IdxFile(const std::vector<uint32_t>& dims,
                    const std::vector<uint8_t>& values) {
  std::string file = {0, 0, 0x08, static_cast<char>(dims.size())};
  for (const uint32_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      file.push_back(static_cast<char>(dim >> shift));
    }
  }
  file.append(values.begin(), values.end());
  return file;
}

std::string Gzip(const std::string& data) {
  z_stream stream = {};
  // 16 + MAX_WBITS: write a gzip header and trailer.
  EXPECT_EQ(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                         16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(&out[0]);
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

void WriteJpegClass(const std::string& root, const std::string& class_name,
                    int count, int height, int width, int channels,
                    int first_id) {
  const std::string dir = JoinPath(root, class_name);
  ASSERT_TRUE(MakeDirectories(dir).ok());
  for (int i = 0; i < count; ++i) {
    const Image image = PatternImage(first_id + i, height, width, channels);
    const absl::StatusOr<std::string> jpeg = EncodeJpeg(image.view(), 100);
    ASSERT_TRUE(jpeg.ok()) << jpeg.status();
    WriteTestFile(JoinPath(dir, absl::StrFormat("%04d.jpg", i)), *jpeg);
  }
}

std::string WriteCifar10Fixture(const std::string& name, int per_file) {
  const std::string dir = MakeTestDir(name);
  int id = 0;
  for (const char* file :
       {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
        "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}) {
    std::string records;
    for (int i = 0; i < per_file; ++i, ++id) {
      records += CifarRecord({static_cast<uint8_t>(id % 10)},
                             PatternImage(id, 32, 32, 3));
    }
    WriteTestFile(JoinPath(dir, file), records);
  }
  return dir;
}

}  // namespace mdenas
