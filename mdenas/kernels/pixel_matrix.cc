#include "mdenas/kernels/pixel_matrix.h"

#include <ATen/ATen.h>
#include <ATen/EmptyTensor.h>

#include "mdenas/kernels/caching_allocator.h"

namespace mdenas {
namespace {

// The row stride of `t` as a pixel matrix, or 0 if it is not one.
int64_t PixelStride(const at::Tensor& t) {
  if (t.dim() != 4) return 0;
  const int64_t n = t.size(0), c = t.size(1), h = t.size(2), w = t.size(3);
  const int64_t ld = w > 1 ? t.stride(3) : h > 1 ? t.stride(2) : n > 1 ? t.stride(0) : c;
  const bool fits = ld >= c && (c == 1 || t.stride(1) == 1) &&
                    (w == 1 || t.stride(3) == ld) &&
                    (h == 1 || t.stride(2) == w * ld) &&
                    (n == 1 || t.stride(0) == h * w * ld);
  return fits ? ld : 0;
}

}  // namespace

PixelMatrix AsPixelMatrix(const at::Tensor& tensor) {
  TORCH_CHECK(tensor.dim() == 4, "expected a 4-D tensor, got ", tensor.sizes());
  if (const int64_t ld = PixelStride(tensor); ld > 0) return {tensor, ld};
  return {tensor.contiguous(at::MemoryFormat::ChannelsLast), tensor.size(1)};
}

PixelMatrix EmptyPixelMatrix(int64_t batch, int64_t channels, int64_t height,
                             int64_t width, const at::TensorOptions& options) {
  TORCH_CHECK(options.device().is_cpu(), "the fast CPU kernels got a ", options.device(),
              " tensor");
  return {at::detail::empty_generic({batch, channels, height, width}, CachingCpuAllocator(),
                                    c10::DispatchKeySet(c10::DispatchKey::CPU),
                                    c10::typeMetaToScalarType(options.dtype()),
                                    at::MemoryFormat::ChannelsLast),
          channels};
}

PixelMatrix ChannelSlice(const PixelMatrix& matrix, int64_t first_channel,
                         int64_t channels) {
  TORCH_CHECK(first_channel >= 0 && first_channel + channels <= matrix.ld,
              "channels [", first_channel, ", ", first_channel + channels,
              ") of rows of ", matrix.ld);
  const int64_t h = matrix.height(), w = matrix.width(), ld = matrix.ld;
  return {at::empty({0}, matrix.tensor.options())
              .set_(matrix.tensor.storage(), matrix.tensor.storage_offset() + first_channel,
                    {matrix.batch(), channels, h, w}, {h * w * ld, 1, w * ld, ld}),
          ld};
}

}  // namespace mdenas
