#include "data/cifar_binary.h"

#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

constexpr int kSide = 32;
constexpr int kChannels = 3;
constexpr int kPlane = kSide * kSide;
constexpr int kPixelBytes = kPlane * kChannels;
constexpr int kCifar10TrainFiles = 5;

const char* const kCifar10Names[] = {
    "airplane", "automobile", "bird",  "cat",  "deer",
    "dog",      "frog",       "horse", "ship", "truck",
};

const char* const kCifar100Names[] = {
    "apple",    "aquarium_fish", "baby",       "bear",         "beaver",
    "bed",      "bee",           "beetle",     "bicycle",      "bottle",
    "bowl",     "boy",           "bridge",     "bus",          "butterfly",
    "camel",    "can",           "castle",     "caterpillar",  "cattle",
    "chair",    "chimpanzee",    "clock",      "cloud",        "cockroach",
    "couch",    "crab",          "crocodile",  "cup",          "dinosaur",
    "dolphin",  "elephant",      "flatfish",   "forest",       "fox",
    "girl",     "hamster",       "house",      "kangaroo",     "keyboard",
    "lamp",     "lawn_mower",    "leopard",    "lion",         "lizard",
    "lobster",  "man",           "maple_tree", "motorcycle",   "mountain",
    "mouse",    "mushroom",      "oak_tree",   "orange",       "orchid",
    "otter",    "palm_tree",     "pear",       "pickup_truck", "pine_tree",
    "plain",    "plate",         "poppy",      "porcupine",    "possum",
    "rabbit",   "raccoon",       "ray",        "road",         "rocket",
    "rose",     "sea",           "seal",       "shark",        "shrew",
    "skunk",    "skyscraper",    "snail",      "snake",        "spider",
    "squirrel", "streetcar",     "sunflower",  "sweet_pepper", "table",
    "tank",     "telephone",     "television", "tiger",        "tractor",
    "train",    "trout",         "tulip",      "turtle",       "wardrobe",
    "whale",    "willow_tree",   "wolf",       "woman",        "worm",
};

// Bytes before the pixels: the label, or the coarse and the fine label.
int LabelBytes(CifarVariant variant) {
  return variant == CifarVariant::kCifar10 ? 1 : 2;
}

std::vector<std::string> FileNames(CifarVariant variant, DataSplit split) {
  if (variant == CifarVariant::kCifar100) {
    return {split == DataSplit::kTrain ? "train.bin" : "test.bin"};
  }
  if (split == DataSplit::kTest) return {"test_batch.bin"};
  std::vector<std::string> names;
  for (int i = 1; i <= kCifar10TrainFiles; ++i) {
    names.push_back(absl::StrCat("data_batch_", i, ".bin"));
  }
  return names;
}

// The class names from the release's names file, one a line, or the official
// ones when there is no such file.
absl::StatusOr<std::vector<std::string>> ClassNames(CifarVariant variant,
                                                    const std::string& dir) {
  const bool cifar10 = variant == CifarVariant::kCifar10;
  const std::string path =
      JoinPath(dir, cifar10 ? "batches.meta.txt" : "fine_label_names.txt");
  if (!PathExists(path)) {
    if (cifar10) {
      return std::vector<std::string>(std::begin(kCifar10Names),
                                      std::end(kCifar10Names));
    }
    return std::vector<std::string>(std::begin(kCifar100Names),
                                    std::end(kCifar100Names));
  }
  MDENAS_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) names.emplace_back(line);
  }
  if (names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": names no classes"));
  }
  return names;
}

// Appends the CIFAR-10 record of `image` to `out`: label, then R, G, B planes.
void AppendCifar10Record(const ImageView& image, int32_t label,
                         std::string* out) {
  out->push_back(static_cast<char>(label));
  const size_t start = out->size();
  out->resize(start + kPixelBytes);
  char* planes = &(*out)[start];
  for (int p = 0; p < kPlane; ++p) {
    for (int c = 0; c < kChannels; ++c) {
      planes[c * kPlane + p] =
          static_cast<char>(image.pixels[p * kChannels + c]);
    }
  }
}

// The CIFAR-10 records of images [begin, end) of `source`.
absl::StatusOr<std::string> EncodeRecords(const ImageSource& source,
                                          absl::string_view split,
                                          int64_t begin, int64_t end) {
  std::string records;
  records.reserve(static_cast<size_t>(end - begin) * (1 + kPixelBytes));
  Image scratch;
  for (int64_t i = begin; i < end; ++i) {
    MDENAS_ASSIGN_OR_RETURN(const ImageView image, source.Read(i, &scratch));
    if (image.height != kSide || image.width != kSide ||
        image.channels != kChannels) {
      return absl::InvalidArgumentError(absl::StrCat(
          split, " image ", i, " is ", image.height, "x", image.width, "x",
          image.channels, "; CIFAR-10 binary files hold 32x32x3 images"));
    }
    const int32_t label = source.labels()[i];
    if (label < 0 || label > 255) {
      return absl::InvalidArgumentError(
          absl::StrCat(split, " image ", i, " has label ", label,
                       "; CIFAR-10 binary files hold labels 0 to 255"));
    }
    AppendCifar10Record(image, label, &records);
  }
  return records;
}

}  // namespace

absl::Status AppendCifarRecords(CifarVariant variant,
                                absl::string_view contents,
                                const std::string& source, ImageSet* set) {
  if (set->height != kSide || set->width != kSide ||
      set->channels != kChannels) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": CIFAR records are 32x32x3 images; the set holds ",
        set->height, "x", set->width, "x", set->channels));
  }
  const int label_bytes = LabelBytes(variant);
  const size_t record_bytes = label_bytes + kPixelBytes;
  const size_t records = contents.size() / record_bytes;
  if (contents.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": file is empty"));
  }
  if (contents.size() % record_bytes != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": ", contents.size(), " bytes is not a whole number of ",
        record_bytes, "-byte records: record ", records, " (byte offset ",
        records * record_bytes, ") has only ", contents.size() % record_bytes,
        " bytes; the file is truncated or has extra bytes"));
  }
  const int64_t num_classes = static_cast<int64_t>(set->class_names.size());
  const size_t first = set->labels.size();
  set->labels.reserve(first + records);
  set->pixels.resize((first + records) * kPixelBytes);
  for (size_t r = 0; r < records; ++r) {
    const auto* record =
        reinterpret_cast<const uint8_t*>(contents.data() + r * record_bytes);
    const int32_t label = record[label_bytes - 1];
    if (label >= num_classes) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": record ", r, " (byte offset ",
                       r * record_bytes, "): label ", label,
                       " is out of range for ", num_classes, " classes"));
    }
    set->labels.push_back(label);
    const uint8_t* planes = record + label_bytes;
    uint8_t* hwc = set->pixels.data() + (first + r) * kPixelBytes;
    for (int p = 0; p < kPlane; ++p) {
      for (int c = 0; c < kChannels; ++c) {
        hwc[p * kChannels + c] = planes[c * kPlane + p];
      }
    }
  }
  return absl::OkStatus();
}

bool HasCifarBinaryFiles(CifarVariant variant, const std::string& dir) {
  return PathExists(JoinPath(dir, FileNames(variant, DataSplit::kTrain)[0]));
}

absl::StatusOr<ImageSet> ReadCifarBinary(CifarVariant variant,
                                         const std::string& dir,
                                         DataSplit split) {
  ImageSet set;
  set.height = kSide;
  set.width = kSide;
  set.channels = kChannels;
  MDENAS_ASSIGN_OR_RETURN(set.class_names, ClassNames(variant, dir));
  for (const std::string& name : FileNames(variant, split)) {
    const std::string path = JoinPath(dir, name);
    MDENAS_ASSIGN_OR_RETURN(const std::string contents, ReadFile(path));
    MDENAS_RETURN_IF_ERROR(AppendCifarRecords(variant, contents, path, &set));
  }
  return set;
}

absl::Status WriteCifar10Binary(const ImageSource& train,
                                const ImageSource& test,
                                const std::string& dir) {
  if (train.size() < kCifar10TrainFiles || test.size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CIFAR-10 binary output needs at least ", kCifar10TrainFiles,
        " training images (one per batch file) and one test image; the data "
        "set has ",
        train.size(), " and ", test.size()));
  }
  for (const std::string& name : train.class_names()) {
    if (name.empty() || name.find('\n') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "class name \"", name, "\" cannot be a line of batches.meta.txt"));
    }
  }
  MDENAS_RETURN_IF_ERROR(MakeDirectories(dir));
  const std::vector<std::string> train_files =
      FileNames(CifarVariant::kCifar10, DataSplit::kTrain);
  const int64_t n = train.size();
  for (int64_t b = 0; b < kCifar10TrainFiles; ++b) {
    MDENAS_ASSIGN_OR_RETURN(
        const std::string records,
        EncodeRecords(train, "train", b * n / kCifar10TrainFiles,
                      (b + 1) * n / kCifar10TrainFiles));
    MDENAS_RETURN_IF_ERROR(
        WriteFileAtomically(JoinPath(dir, train_files[b]), records));
  }
  MDENAS_ASSIGN_OR_RETURN(const std::string records,
                          EncodeRecords(test, "test", 0, test.size()));
  MDENAS_RETURN_IF_ERROR(
      WriteFileAtomically(JoinPath(dir, "test_batch.bin"), records));
  return WriteFileAtomically(
      JoinPath(dir, "batches.meta.txt"),
      absl::StrCat(absl::StrJoin(train.class_names(), "\n"), "\n"));
}

}  // namespace mdenas
