#include "data/device_loader.h"

#include <torch/torch.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {

absl::StatusOr<std::unique_ptr<Loader>> DeviceLoader::Create(
    const ImageSource& source, std::vector<int64_t> indices,
    std::shared_ptr<const CifarTransform> transform, const LoaderOptions& options,
    const c10::Device& device) {
  if (transform == nullptr) return absl::InvalidArgumentError("loader needs a transform");
  MDENAS_RETURN_IF_ERROR(CheckLoaderArguments(source, indices, options));
  const CifarTransformOptions& shape = transform->options();
  const int padding = shape.padding;
  const int64_t n = static_cast<int64_t>(indices.size());
  torch::Tensor padded = torch::zeros(
      {n, shape.height + 2 * padding, shape.width + 2 * padding, shape.channels}, torch::kUInt8);
  std::vector<int64_t> labels(n);
  std::vector<int64_t> row_of_index(source.size(), -1);
  Image scratch;
  const int64_t row_bytes = int64_t{shape.width} * shape.channels;
  const int64_t padded_row_bytes = padded.size(2) * shape.channels;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t index = indices[i];
    absl::StatusOr<ImageView> image = source.Read(index, &scratch);
    if (!image.ok()) {
      return absl::Status(image.status().code(),
                          absl::StrCat("image ", index, ": ", image.status().message()));
    }
    if (image->height != shape.height || image->width != shape.width ||
        image->channels != shape.channels) {
      return absl::InvalidArgumentError(
          absl::StrCat("image ", index, ": image is ", image->height, "x", image->width, "x",
                       image->channels, " (height x width x channels); the CIFAR transform takes ",
                       shape.height, "x", shape.width, "x", shape.channels));
    }
    uint8_t* first_row = padded[i].data_ptr<uint8_t>() + padding * padded_row_bytes +
                         int64_t{padding} * shape.channels;
    for (int y = 0; y < shape.height; ++y) {
      std::memcpy(first_row + y * padded_row_bytes, image->pixels + y * row_bytes, row_bytes);
    }
    labels[i] = source.labels()[index];
    row_of_index[index] = i;
  }
  return std::unique_ptr<Loader>(
      new DeviceLoader(std::move(indices), std::move(transform), options, padded.to(device),
                       torch::tensor(labels).to(device), std::move(row_of_index)));
}

DeviceLoader::DeviceLoader(std::vector<int64_t> indices,
                           std::shared_ptr<const CifarTransform> transform,
                           const LoaderOptions& options, torch::Tensor padded_images,
                           torch::Tensor labels, std::vector<int64_t> row_of_index)
    : indices_(std::move(indices)),
      transform_(std::move(transform)),
      options_(options),
      batches_per_epoch_(BatchesPerEpoch(static_cast<int64_t>(indices_.size()), options)),
      padded_images_(std::move(padded_images)),
      labels_(std::move(labels)),
      scale_(torch::tensor(transform_->scale()).view({1, -1, 1, 1}).to(padded_images_.device())),
      bias_(torch::tensor(transform_->bias()).view({1, -1, 1, 1}).to(padded_images_.device())),
      row_of_index_(std::move(row_of_index)) {}

void DeviceLoader::StartEpoch(int64_t epoch) {
  epoch_ = epoch;
  order_ = EpochOrder(indices_, options_, epoch);
  next_batch_ = 0;
}

std::optional<Batch> DeviceLoader::Next() {
  if (!order_ || next_batch_ >= batches_per_epoch_) return std::nullopt;
  const ShardRange range =
      ShardOfBatch(next_batch_++, static_cast<int64_t>(order_->size()), options_);
  const int64_t n = range.end - range.begin;
  // The draws on the host, as the threaded loader makes them; one copy to
  // the device: rows, dy, dx, flip, cutout y0, y1, x0, x1.
  enum { kRow, kDy, kDx, kFlip, kY0, kY1, kX0, kX1, kFields };
  std::vector<int64_t> draws(kFields * n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t index = (*order_)[range.begin + i];
    Random random = AugmentationRandom(options_, epoch_, index);
    const CifarAugmentation a = transform_->Draw(&random);
    const int64_t fields[kFields] = {row_of_index_[index], a.dy,        a.dx,        a.flip,
                                     a.cutout_y0,          a.cutout_y1, a.cutout_x0, a.cutout_x1};
    for (int f = 0; f < kFields; ++f) draws[f * n + i] = fields[f];
  }
  const torch::Device device = padded_images_.device();
  const torch::Tensor d = torch::tensor(draws, torch::kInt64).view({kFields, n, 1}).to(device);
  const CifarTransformOptions& shape = transform_->options();
  const auto on_device = torch::TensorOptions().dtype(torch::kInt64).device(device);
  const torch::Tensor ys = torch::arange(shape.height, on_device).view({1, -1});
  const torch::Tensor xs = torch::arange(shape.width, on_device).view({1, -1});
  // Output (y, x) reads padded pixel (y + dy, x + dx) or, flipped,
  // (y + dy, width - 1 - x + dx), shifted by the padding.
  const torch::Tensor rows = ys + d[kDy] + shape.padding;
  const torch::Tensor columns =
      torch::where(d[kFlip].to(torch::kBool), (shape.width - 1) - xs, xs) + d[kDx] + shape.padding;
  const torch::Tensor pixels = padded_images_.index(
      {d[kRow].view({n, 1, 1}), rows.view({n, -1, 1}), columns.view({n, 1, -1})});
  torch::Tensor images =
      pixels.permute({0, 3, 1, 2}).to(torch::kFloat32).mul(scale_).add(bias_).contiguous();
  const torch::Tensor cut = ((ys >= d[kY0]) & (ys < d[kY1])).view({n, 1, -1, 1}) &
                            ((xs >= d[kX0]) & (xs < d[kX1])).view({n, 1, 1, -1});
  images.masked_fill_(cut, 0.0f);
  Batch batch;
  batch.images = std::move(images);
  batch.labels = labels_.index({d[kRow].view({n})});
  batch.whole_size = range.whole;
  return batch;
}

}  // namespace mdenas
