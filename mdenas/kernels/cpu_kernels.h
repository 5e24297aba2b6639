// The CPU kernels behind the fast cell operations, on raw channels-last
// (NHWC) data. An activation is a matrix of pixels by channels: pixel p =
// (n * height + h) * width + w, channel c at data[p * ld + c], where the
// leading dimension `ld` >= channels lets a kernel read or write a channel
// slice of a wider tensor (a cell's concatenated output) in place.
//
// Each kernel is built three times, for AVX-512, for AVX2 with FMA and for
// the x86-64 baseline, and CpuKernels() picks the best the machine runs.
// They are multi-threaded with at::parallel_for; every reduction sums fixed
// blocks in a fixed order, so results do not depend on the thread count.

#ifndef MDENAS_KERNELS_CPU_KERNELS_H_
#define MDENAS_KERNELS_CPU_KERNELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mdenas/kernels/window_geometry.h"

namespace mdenas {

// Positions i * stride + offset inside an axis of `size`: none where the
// offset is past the end (where C++'s division would round -1 / 2 to 0).
inline int64_t GatheredSize(int64_t size, int64_t stride, int64_t offset) {
  return size > offset ? (size - offset - 1) / stride + 1 : 0;
}

// c[i][j] = sum_k A(i, k) * B(k, j) for i < m, j < n, k < depth, where
// A(i, k) = a[i * a_row_stride + k * a_depth_stride] and B(k, j) = b[k * ldb
// + j]: a 1x1 convolution (A = pixels, B = the transposed weight), its input
// gradient, or with A transposed (a_row_stride 1) its weight gradient.
template <typename T>
struct GemmOperands {
  int64_t m = 0;
  int64_t n = 0;
  int64_t depth = 0;
  const T* a = nullptr;
  int64_t a_row_stride = 0;
  int64_t a_depth_stride = 0;
  const T* b = nullptr;
  int64_t ldb = 0;
  T* c = nullptr;
  int64_t ldc = 0;
  // At most one of: ReLU applied to A's or to B's elements as they are
  // read; ReLU's gradient applied to C as it is written (c[i][j] = 0 where
  // c_mask[i * c_mask_ld + j] <= 0).
  bool relu_a = false;
  bool relu_b = false;
  const T* c_mask = nullptr;
  int64_t c_mask_ld = 0;
  // Where not null, C is written as c_base + the product (after the mask):
  // a gradient accumulating, c_base the gradient so far (which may be C
  // itself).
  const T* c_base = nullptr;
  int64_t c_base_ld = 0;
};

// The windows the depthwise kernels take: those of the search spaces, 3x3
// and 5x5 at stride and dilation 1 or 2 (DARTS's sep_conv and dil_conv) and
// 7x7 at stride 1 or 2, dilation 1 (the mobile space). Each window is
// unrolled into its own code in every variant, and the build's longest
// compile is theirs: a window no space has is left to ATen.
inline bool DepthwiseKernelsTake(int64_t kernel, int64_t stride, int64_t dilation) {
  const bool one_or_two = (stride == 1 || stride == 2) && (dilation == 1 || dilation == 2);
  return one_or_two && (kernel == 3 || kernel == 5 || (kernel == 7 && dilation == 1));
}

template <typename T>
struct CpuKernelTable {
  // "avx512", "avx2" or "baseline".
  const char* name;

  // Depthwise convolution, for the windows DepthwiseKernelsTake(). Weights
  // are packed [kernel * kernel][channels] (tap-major); `relu_input`
  // applies ReLU to the input as it is read.
  void (*depthwise_forward)(const WindowGeometry& g, const T* input,
                            int64_t input_ld, bool relu_input,
                            const T* weight, T* output, int64_t output_ld);
  // grad_input = d output / d input; where `relu_input` is not null, the
  // gradient also passes through ReLU(relu_input) (zero where it is <= 0).
  // Where `grad_base` is not null, grad_input = grad_base + the gradient
  // (grad_base may be grad_input: the gradient then accumulates there).
  void (*depthwise_backward_input)(const WindowGeometry& g,
                                   const T* grad_output, int64_t grad_ld,
                                   const T* weight, const T* relu_input,
                                   int64_t relu_input_ld, T* grad_input,
                                   int64_t grad_input_ld, const T* grad_base,
                                   int64_t grad_base_ld);
  // grad_weight [kernel * kernel][channels], overwritten.
  void (*depthwise_backward_weight)(const WindowGeometry& g,
                                    const T* grad_output, int64_t grad_ld,
                                    const T* input, int64_t input_ld,
                                    bool relu_input, T* grad_weight);

  // The matrix product GemmOperands describes.
  void (*gemm)(const GemmOperands<T>& operands);

  // out[i] = sum over b < count, in order, of parts[b * size + i]: partial
  // results of a reduction, summed the same way for any thread count.
  void (*sum_in_order)(const T* parts, int64_t count, int64_t size, T* out);

  // Per-column mean and biased variance of x [rows][cols].
  void (*column_moments)(int64_t rows, int64_t cols, const T* x, int64_t ld,
                         double* mean, double* variance);
  // Per column: sum of dy, and sum of dy * (x - center).
  void (*column_gradient_sums)(int64_t rows, int64_t cols, const T* dy,
                               int64_t dy_ld, const T* x, int64_t x_ld,
                               const T* center, double* sum_dy,
                               double* sum_dy_x_centered);
  // out = u * u_scale[c] + (v - v_center[c]) * v_scale[c] + shift[c] per
  // column c; v may be null (then v_center and v_scale are ignored), and
  // v_center (then zero). Batch normalisation and its gradient, which
  // centres its input before scaling it: where the mean is large against
  // the spread, scaling first would lose the difference to rounding.
  void (*column_combine)(int64_t rows, int64_t cols, const T* u, int64_t u_ld,
                         const T* u_scale, const T* v, int64_t v_ld,
                         const T* v_center, const T* v_scale, const T* shift,
                         T* out, int64_t out_ld);
  // out = min(max(u * scale[c] + shift[c], lower), upper) per column c: a
  // batch normalisation and the clip after it (ReLU6's, [0, 6]) in one pass.
  void (*column_map_clamped)(int64_t rows, int64_t cols, const T* u, int64_t u_ld, const T* scale,
                             const T* shift, T lower, T upper, T* out, int64_t out_ld);

  // Pooling with g's window (dilation 1); average pooling does not count
  // the padding.
  void (*pool_forward)(PoolKind kind, const WindowGeometry& g, const T* input,
                       int64_t input_ld, T* output, int64_t output_ld);
  // grad_input is overwritten, or set to grad_base + the gradient where
  // grad_base is not null (as in depthwise_backward_input). Max pooling
  // sends each gradient to the first maximum of its window, as ATen does.
  void (*pool_backward)(PoolKind kind, const WindowGeometry& g,
                        const T* input, int64_t input_ld,
                        const T* grad_output, int64_t grad_ld, T* grad_input,
                        int64_t grad_input_ld, const T* grad_base,
                        int64_t grad_base_ld);

  // output pixel (n, i, j) = ReLU(input pixel (n, i * stride + offset,
  // j * stride + offset)) for every such pixel inside the input (g gives its
  // size and the stride): the input of a strided 1x1 convolution.
  void (*gather_relu)(const WindowGeometry& g, int64_t offset,
                      const T* input, int64_t input_ld, T* output,
                      int64_t output_ld);
  // The gradient of gather_relu: adds to grad_input at the gathered pixels,
  // nothing where `input` <= 0; other pixels are left as they are.
  void (*scatter_relu_gradient)(const WindowGeometry& g, int64_t offset,
                                const T* grad_output, int64_t grad_ld,
                                const T* input, int64_t input_ld,
                                T* grad_input, int64_t grad_input_ld);

  // out = the sum of `count` matrices [rows][cols], inputs[i] with row
  // stride lds[i] (a copy when count is 1), each centred and scaled per
  // column, (inputs[i] - centers[i]) * scales[i] (as it is where `centers`
  // is null or centers[i] is, and where `scales` is or scales[i] is), plus
  // `shift` per column where it is not null: a node of a cell summing its
  // edges' outputs with their BatchNorms applied.
  void (*sum_matrices)(int64_t rows, int64_t cols, const T* const* inputs,
                       const int64_t* lds, const T* const* centers,
                       const T* const* scales, const T* shift, int count,
                       T* out, int64_t out_ld);
};

// Names the variant to use instead of the best one the machine runs
// ("avx512", "avx2" or "baseline"), as DNNL_MAX_CPU_ISA does for oneDNN:
// for tests of the fallbacks and for debugging. Read once per process.
inline constexpr char kCpuKernelsVariable[] = "MDENAS_CPU_KERNELS";

// The variants this machine's processor runs, best first ("baseline" last).
std::vector<std::string> CpuKernelVariantsOfThisMachine();

// The table of the variant in use.
template <typename T>
const CpuKernelTable<T>& CpuKernels();

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CPU_KERNELS_H_
