// Batches from images resident on a device (a GPU), augmented there: for
// small fixed-size images (CIFAR, Fashion-MNIST) that fit in its memory,
// where reading and transforming them on the host each epoch would keep
// the GPU waiting. The images are read from their source once, as uint8,
// and batches are gathered, cropped, flipped, normalised and cut out with
// tensor operations on the device.
//
// The same batches as Loader::Create with the same CifarTransform and
// options: the same epoch order, shards and augmentation draws (loader.h's
// shared helpers and CifarTransform::Draw), the same float arithmetic; on
// the CPU bit for bit (device_loader_test.cc).
//
//   MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<Loader> loader,
//       DeviceLoader::Create(source, indices, transform, options, torch::kCUDA));

#ifndef MDENAS_DATA_DEVICE_LOADER_H_
#define MDENAS_DATA_DEVICE_LOADER_H_

#include <c10/core/Device.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "data/cifar_transform.h"
#include "data/image_source.h"
#include "data/loader.h"

namespace mdenas {

class DeviceLoader final : public Loader {
 public:
  // Reads the images `indices` of `source` onto `device`. Fails on options
  // out of range, an index outside the source, or an image that cannot be
  // read or does not have `transform`'s shape (named by its index).
  // options.threads and prefetch_batches do not apply.
  static absl::StatusOr<std::unique_ptr<Loader>> Create(
      const ImageSource& source, std::vector<int64_t> indices,
      std::shared_ptr<const CifarTransform> transform, const LoaderOptions& options,
      const c10::Device& device);

  int64_t batches_per_epoch() const override { return batches_per_epoch_; }
  void StartEpoch(int64_t epoch) override;
  std::optional<Batch> Next() override;
  // Always OK: every image was read and checked by Create.
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  DeviceLoader(std::vector<int64_t> indices, std::shared_ptr<const CifarTransform> transform,
               const LoaderOptions& options, torch::Tensor padded_images, torch::Tensor labels,
               std::vector<int64_t> row_of_index);

  const std::vector<int64_t> indices_;
  const std::shared_ptr<const CifarTransform> transform_;
  const LoaderOptions options_;
  const int64_t batches_per_epoch_;
  // [images, height + 2 padding, width + 2 padding, channels] uint8, zero
  // around each image, on the device; row i holds indices_[i].
  const torch::Tensor padded_images_;
  // [images] int64 on the device.
  const torch::Tensor labels_;
  // Per channel, [1, channels, 1, 1] float32 on the device.
  const torch::Tensor scale_;
  const torch::Tensor bias_;
  // The row of padded_images_ of each source index (-1: not loaded).
  const std::vector<int64_t> row_of_index_;

  int64_t epoch_ = 0;
  std::optional<std::vector<int64_t>> order_;
  int64_t next_batch_ = 0;
};

}  // namespace mdenas

#endif  // MDENAS_DATA_DEVICE_LOADER_H_
