#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

constexpr uint8_t kUnsignedByteType = 0x08;
// Larger than any IDX data set we know of (EMNIST's largest is 0.55 GB), and
// a bound on what a corrupt or hostile gzip stream can make us allocate.
constexpr size_t kMaxDecompressedBytes = size_t{1} << 31;

bool IsGzip(absl::string_view contents) {
  return contents.size() >= 2 && static_cast<uint8_t>(contents[0]) == 0x1f &&
         static_cast<uint8_t>(contents[1]) == 0x8b;
}

absl::StatusOr<std::string> Gunzip(absl::string_view compressed,
                                   const std::string& source) {
  z_stream stream = {};
  // 16 + MAX_WBITS: a gzip header and trailer around the deflate stream.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return absl::InternalError(absl::StrCat(source, ": cannot start zlib"));
  }
  std::string out;
  absl::Status status;
  const auto* next_in = reinterpret_cast<const Bytef*>(compressed.data());
  size_t left_in = compressed.size();
  while (true) {
    if (stream.total_out == out.size()) {
      if (out.size() >= kMaxDecompressedBytes) {
        status = absl::InvalidArgumentError(
            absl::StrCat(source, ": decompresses to more than ",
                         kMaxDecompressedBytes, " bytes"));
        break;
      }
      out.resize(std::min(kMaxDecompressedBytes,
                          std::max<size_t>(2 * out.size(), 1 << 16)));
    }
    // zlib counts in uInt; feed and drain at most that much per call.
    const uInt in_chunk = static_cast<uInt>(
        std::min<size_t>(left_in, std::numeric_limits<uInt>::max()));
    stream.next_in = const_cast<Bytef*>(next_in);
    stream.avail_in = in_chunk;
    stream.next_out = reinterpret_cast<Bytef*>(&out[stream.total_out]);
    stream.avail_out = static_cast<uInt>(std::min<size_t>(
        out.size() - stream.total_out, std::numeric_limits<uInt>::max()));
    const int result = inflate(&stream, Z_NO_FLUSH);
    next_in += in_chunk - stream.avail_in;
    left_in -= in_chunk - stream.avail_in;
    if (result == Z_STREAM_END) {
      if (left_in != 0) {
        status = absl::InvalidArgumentError(absl::StrCat(
            source, ": ", left_in, " bytes after the end of the gzip stream"));
      }
      break;
    }
    if (result == Z_BUF_ERROR && left_in == 0) {
      status = absl::InvalidArgumentError(
          absl::StrCat(source, ": gzip stream is truncated after ",
                       compressed.size(), " bytes"));
      break;
    }
    if (result != Z_OK && result != Z_BUF_ERROR) {
      status = absl::InvalidArgumentError(
          absl::StrCat(source, ": corrupt gzip data at compressed byte ",
                       compressed.size() - left_in, ": ",
                       stream.msg != nullptr ? stream.msg : "zlib error"));
      break;
    }
  }
  out.resize(stream.total_out);
  inflateEnd(&stream);
  if (!status.ok()) return status;
  return out;
}

uint32_t BigEndian32(const char* bytes) {
  const auto* b = reinterpret_cast<const uint8_t*>(bytes);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
         (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

absl::StatusOr<IdxArray> ParseUncompressed(absl::string_view contents,
                                           const std::string& source) {
  if (contents.size() < 4 || contents[0] != 0 || contents[1] != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not an IDX file (it does not start with two zero bytes)"));
  }
  const uint8_t type = static_cast<uint8_t>(contents[2]);
  if (type != kUnsignedByteType) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": IDX value type 0x", absl::Hex(type, absl::kZeroPad2),
        " is not supported; only unsigned bytes (0x08) are"));
  }
  const int num_dims = static_cast<uint8_t>(contents[3]);
  const size_t header_bytes = 4 + 4 * static_cast<size_t>(num_dims);
  if (num_dims == 0 || contents.size() < header_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": IDX header with ", num_dims, " dimensions needs ",
        header_bytes, " bytes; the file has ", contents.size()));
  }
  IdxArray array;
  // The number of values, saturating: any count that large is wrong anyway.
  constexpr uint64_t kSaturated = uint64_t{1} << 62;
  uint64_t count = 1;
  for (int d = 0; d < num_dims; ++d) {
    const uint32_t dim = BigEndian32(&contents[4 + 4 * d]);
    array.dims.push_back(dim);
    count = dim != 0 && count > kSaturated / dim ? kSaturated : count * dim;
  }
  const size_t value_bytes = contents.size() - header_bytes;
  if (count != value_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": IDX header says ", absl::StrJoin(array.dims, "x"),
        " values, but the file holds ", value_bytes, " bytes after its ",
        header_bytes, "-byte header"));
  }
  const auto* values =
      reinterpret_cast<const uint8_t*>(contents.data() + header_bytes);
  array.values.assign(values, values + value_bytes);
  return array;
}

// The path of a data set file, with or without .gz, whichever exists.
absl::StatusOr<std::string> FindIdxFile(const std::string& dir,
                                        const std::string& name) {
  const std::string plain = JoinPath(dir, name);
  if (PathExists(plain)) return plain;
  const std::string gzipped = plain + ".gz";
  if (PathExists(gzipped)) return gzipped;
  return absl::NotFoundError(
      absl::StrCat(dir, ": has neither ", name, " nor ", name, ".gz"));
}

absl::StatusOr<IdxArray> ReadIdxFile(const std::string& dir,
                                     const std::string& name,
                                     std::string* path) {
  MDENAS_ASSIGN_OR_RETURN(*path, FindIdxFile(dir, name));
  MDENAS_ASSIGN_OR_RETURN(const std::string contents, ReadFile(*path));
  return ParseIdx(contents, *path);
}

}  // namespace

absl::StatusOr<IdxArray> ParseIdx(absl::string_view contents,
                                  const std::string& source) {
  if (!IsGzip(contents)) return ParseUncompressed(contents, source);
  MDENAS_ASSIGN_OR_RETURN(const std::string plain, Gunzip(contents, source));
  return ParseUncompressed(plain, source);
}

bool HasIdxFiles(const std::string& dir) {
  return FindIdxFile(dir, "train-images-idx3-ubyte").ok();
}

absl::StatusOr<ImageSet> ReadIdx(const std::string& dir, DataSplit split) {
  const std::string prefix = split == DataSplit::kTrain ? "train" : "t10k";
  std::string images_path;
  std::string labels_path;
  MDENAS_ASSIGN_OR_RETURN(
      IdxArray images,
      ReadIdxFile(dir, prefix + "-images-idx3-ubyte", &images_path));
  MDENAS_ASSIGN_OR_RETURN(
      const IdxArray labels,
      ReadIdxFile(dir, prefix + "-labels-idx1-ubyte", &labels_path));
  const std::vector<int64_t>& dims = images.dims;
  if (dims.size() != 3 && dims.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat(images_path,
                     ": images must have 3 dimensions (N x H x W) or 4 "
                     "(N x H x W x C); the file has ",
                     dims.size()));
  }
  const int64_t channels = dims.size() == 4 ? dims[3] : 1;
  if (dims[0] == 0 || dims[1] == 0 || dims[2] == 0 || channels == 0 ||
      dims[1] > std::numeric_limits<int>::max() ||
      dims[2] > std::numeric_limits<int>::max() ||
      channels > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        images_path, ": cannot hold images of ", absl::StrJoin(dims, "x")));
  }
  if (labels.dims.size() != 1 || labels.dims[0] != dims[0]) {
    return absl::InvalidArgumentError(absl::StrCat(
        labels_path, ": has labels of shape ", absl::StrJoin(labels.dims, "x"),
        " for the ", dims[0], " images of ", images_path));
  }
  ImageSet set;
  set.height = static_cast<int>(dims[1]);
  set.width = static_cast<int>(dims[2]);
  set.channels = static_cast<int>(channels);
  set.pixels = std::move(images.values);
  set.labels.assign(labels.values.begin(), labels.values.end());
  const int32_t max_label =
      *std::max_element(set.labels.begin(), set.labels.end());
  for (int32_t label = 0; label <= max_label; ++label) {
    set.class_names.push_back(absl::StrCat(label));
  }
  return set;
}

}  // namespace mdenas
