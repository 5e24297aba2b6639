// The geometry of a square window sliding over channels-last (NHWC) images,
// shared by the CPU and CUDA kernels. Plain C++, so nvcc compiles it too.

#ifndef MDENAS_KERNELS_WINDOW_GEOMETRY_H_
#define MDENAS_KERNELS_WINDOW_GEOMETRY_H_

#include <cstdint>

namespace mdenas {

// What a pooling window takes of its taps.
enum class PoolKind { kMax, kAverage };

// A square window sliding over NHWC images: a depthwise convolution or a
// pooling.
struct WindowGeometry {
  int64_t batch = 1;
  int64_t height = 1;
  int64_t width = 1;
  int64_t channels = 1;
  int64_t kernel = 3;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;

  int64_t out_height() const { return OutSize(height); }
  int64_t out_width() const { return OutSize(width); }
  int64_t in_pixels() const { return batch * height * width; }
  int64_t out_pixels() const { return batch * out_height() * out_width(); }

 private:
  int64_t OutSize(int64_t in) const {
    return (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
  }
};

}  // namespace mdenas

#endif  // MDENAS_KERNELS_WINDOW_GEOMETRY_H_
