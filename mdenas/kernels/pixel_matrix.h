// A 4-D activation [N, C, H, W] seen as the matrix the CPU kernels work on:
// rows are pixels (n, h, w), columns are channels, row r at data + r * ld.
// Channels-last tensors are such matrices, and so are channel slices of
// them (a cell's concatenated output and its gradient), with ld the full
// channel count. Internal to the kernels.

#ifndef MDENAS_KERNELS_PIXEL_MATRIX_H_
#define MDENAS_KERNELS_PIXEL_MATRIX_H_

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/kernels.h"

namespace mdenas {

// Whether this folder's CPU kernels compute an operation that asked for
// `kernels` on `tensor`: the fast kernels on a CPU tensor. On a CUDA tensor
// the fast kernels are ATen's operators, but for the depthwise convolution,
// which has a CUDA kernel of its own (DepthwiseConv2d).
inline bool RunsCpuKernels(Kernels kernels, const at::Tensor& tensor) {
  return kernels == Kernels::kFast && tensor.is_cpu();
}

struct PixelMatrix {
  at::Tensor tensor;
  int64_t ld = 0;

  int64_t batch() const { return tensor.size(0); }
  int64_t channels() const { return tensor.size(1); }
  int64_t height() const { return tensor.size(2); }
  int64_t width() const { return tensor.size(3); }
  int64_t rows() const { return batch() * height() * width(); }
  template <typename T>
  T* data() const {
    return tensor.data_ptr<T>();
  }
};

// `tensor` itself when its memory already has that form, else a
// channels-last copy of it.
PixelMatrix AsPixelMatrix(const at::Tensor& tensor);

// A new channels-last [batch, channels, height, width] tensor, its memory
// from CachingCpuAllocator().
PixelMatrix EmptyPixelMatrix(int64_t batch, int64_t channels, int64_t height,
                             int64_t width, const at::TensorOptions& options);

// Channels [first_channel, first_channel + channels) of `matrix`'s rows
// (which may reach past its own channels, up to its row stride), with its
// row stride: a tensor over the same memory that autograd does not track
// as a view, so that it can be an autograd node's own output.
PixelMatrix ChannelSlice(const PixelMatrix& matrix, int64_t first_channel,
                         int64_t channels);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_PIXEL_MATRIX_H_
