#include "mdenas/kernels/cuda_depthwise.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "mdenas/kernels/cuda_error.h"

namespace mdenas {
namespace {

// WindowGeometry's numbers with the output size worked out, for device code
// (WindowGeometry's member functions are host-only). The kernel size is a
// template argument of each kernel instead, so that the tap loops unroll.
struct Window {
  int64_t batch, height, width, channels;
  int64_t stride, padding, dilation;
  int64_t out_height, out_width;
};

Window WindowOf(const WindowGeometry& g) {
  return {g.batch,   g.height,   g.width,        g.channels,   g.stride,
          g.padding, g.dilation, g.out_height(), g.out_width()};
}

// "" if the kernels take `g` with leading dimensions `lds`, else why not.
std::string Unsupported(const char* function, const WindowGeometry& g,
                        std::initializer_list<int64_t> lds) {
  const std::string where = std::string(function) + ": ";
  if (g.kernel != 3 && g.kernel != 5) {
    return where + "kernel size " + std::to_string(g.kernel) +
           " is not supported (3 or 5)";
  }
  if (g.batch < 1 || g.height < 1 || g.width < 1 || g.channels < 1 ||
      g.stride < 1 || g.dilation < 1 || g.padding < 0) {
    return where + "sizes, stride and dilation must be positive, padding " +
           "not negative";
  }
  if (g.out_height() < 1 || g.out_width() < 1) {
    return where + "the window is larger than the padded image";
  }
  for (const int64_t ld : lds) {
    if (ld < g.channels) {
      return where + "leading dimension " + std::to_string(ld) +
             " is less than the channel count " + std::to_string(g.channels);
    }
  }
  return "";
}

constexpr int kThreads = 256;

// Blocks for a grid-stride loop over `count` elements: one element per
// thread up to a cap, beyond which threads take several.
unsigned BlocksFor(int64_t count) {
  constexpr int64_t kMaxBlocks = int64_t{1} << 20;
  return static_cast<unsigned>(
      std::min((count + kThreads - 1) / kThreads, kMaxBlocks));
}

__device__ int64_t FirstThread() {
  return blockIdx.x * int64_t{blockDim.x} + threadIdx.x;
}
__device__ int64_t ThreadCount() { return gridDim.x * int64_t{blockDim.x}; }

__device__ float ReluIf(bool relu, float x) {
  return relu && !(x > 0.0f) ? 0.0f : x;
}

// One thread per output element, the channel fastest: a warp reads 32
// consecutive channels of a pixel and of each weight tap.
template <int K>
__global__ void ForwardKernel(Window w, const float* __restrict__ input,
                              int64_t input_ld, bool relu_input,
                              const float* __restrict__ weight,
                              float* __restrict__ output, int64_t output_ld) {
  const int64_t count = w.batch * w.out_height * w.out_width * w.channels;
  for (int64_t i = FirstThread(); i < count; i += ThreadCount()) {
    const int64_t c = i % w.channels;
    const int64_t p = i / w.channels;
    const int64_t ow = p % w.out_width;
    const int64_t oh = p / w.out_width % w.out_height;
    const int64_t n = p / (w.out_width * w.out_height);
    const float* image = input + n * w.height * w.width * input_ld + c;
    const int64_t top = oh * w.stride - w.padding;
    const int64_t left = ow * w.stride - w.padding;
    float sum = 0.0f;
#pragma unroll
    for (int kh = 0; kh < K; ++kh) {
      const int64_t h = top + kh * w.dilation;
      if (h < 0 || h >= w.height) continue;
#pragma unroll
      for (int kw = 0; kw < K; ++kw) {
        const int64_t x = left + kw * w.dilation;
        if (x < 0 || x >= w.width) continue;
        sum += weight[(kh * K + kw) * w.channels + c] *
               ReluIf(relu_input, image[(h * w.width + x) * input_ld]);
      }
    }
    output[p * output_ld + c] = sum;
  }
}

// One thread per input element, gathering from the outputs whose windows
// cover it: each element is written once, with no atomics.
template <int K>
__global__ void BackwardInputKernel(
    Window w, const float* __restrict__ grad_output, int64_t grad_ld,
    const float* __restrict__ weight, const float* __restrict__ relu_input,
    int64_t relu_input_ld, float* __restrict__ grad_input,
    int64_t grad_input_ld) {
  const int64_t count = w.batch * w.height * w.width * w.channels;
  for (int64_t i = FirstThread(); i < count; i += ThreadCount()) {
    const int64_t c = i % w.channels;
    const int64_t p = i / w.channels;
    if (relu_input != nullptr && !(relu_input[p * relu_input_ld + c] > 0.0f)) {
      grad_input[p * grad_input_ld + c] = 0.0f;
      continue;
    }
    const int64_t x = p % w.width;
    const int64_t h = p / w.width % w.height;
    const int64_t n = p / (w.width * w.height);
    const float* grad_image =
        grad_output + n * w.out_height * w.out_width * grad_ld + c;
    float sum = 0.0f;
#pragma unroll
    for (int kh = 0; kh < K; ++kh) {
      // Output row oh reads input row oh * stride - padding + kh * dilation.
      const int64_t row = h + w.padding - kh * w.dilation;
      if (row < 0 || row % w.stride != 0) continue;
      const int64_t oh = row / w.stride;
      if (oh >= w.out_height) continue;
#pragma unroll
      for (int kw = 0; kw < K; ++kw) {
        const int64_t col = x + w.padding - kw * w.dilation;
        if (col < 0 || col % w.stride != 0) continue;
        const int64_t ow = col / w.stride;
        if (ow >= w.out_width) continue;
        sum += weight[(kh * K + kw) * w.channels + c] *
               grad_image[(oh * w.out_width + ow) * grad_ld];
      }
    }
    grad_input[p * grad_input_ld + c] = sum;
  }
}

// The weight gradient sums over every output pixel, in two passes: blocks
// of kWeightLanes channels by kWeightRows pixel rows each sum one chunk of
// the pixels into partial sums, then SumChunksKernel adds the chunks' sums
// in order. The chunking depends on the geometry alone, so the order of
// the additions (and the result) is the same on any device.
constexpr int kWeightLanes = 32;  // A warp: 32 consecutive channels.
constexpr int kWeightRows = 8;
constexpr int64_t kMinChunkPixels = 256;
constexpr int64_t kMaxChunks = 512;

// partials[chunk][tap][channel] for chunk blockIdx.y, channels from
// blockIdx.x * kWeightLanes.
template <int K>
__global__ void WeightPartialsKernel(
    Window w, const float* __restrict__ grad_output, int64_t grad_ld,
    const float* __restrict__ input, int64_t input_ld, bool relu_input,
    int64_t chunk_pixels, float* __restrict__ partials) {
  __shared__ float row_sums[kWeightRows][K * K][kWeightLanes];
  const int64_t c = blockIdx.x * int64_t{kWeightLanes} + threadIdx.x;
  const int64_t out_pixels = w.batch * w.out_height * w.out_width;
  const int64_t begin = blockIdx.y * chunk_pixels;
  const int64_t end =
      begin + chunk_pixels < out_pixels ? begin + chunk_pixels : out_pixels;
  float sums[K * K] = {};
  if (c < w.channels) {
    for (int64_t p = begin + threadIdx.y; p < end; p += kWeightRows) {
      const int64_t ow = p % w.out_width;
      const int64_t oh = p / w.out_width % w.out_height;
      const int64_t n = p / (w.out_width * w.out_height);
      const float grad = grad_output[p * grad_ld + c];
      const float* image = input + n * w.height * w.width * input_ld + c;
      const int64_t top = oh * w.stride - w.padding;
      const int64_t left = ow * w.stride - w.padding;
#pragma unroll
      for (int kh = 0; kh < K; ++kh) {
        const int64_t h = top + kh * w.dilation;
        if (h < 0 || h >= w.height) continue;
#pragma unroll
        for (int kw = 0; kw < K; ++kw) {
          const int64_t x = left + kw * w.dilation;
          if (x < 0 || x >= w.width) continue;
          sums[kh * K + kw] +=
              grad * ReluIf(relu_input, image[(h * w.width + x) * input_ld]);
        }
      }
    }
  }
#pragma unroll
  for (int t = 0; t < K * K; ++t) {
    row_sums[threadIdx.y][t][threadIdx.x] = sums[t];
  }
  __syncthreads();
  if (c >= w.channels) return;
  for (int t = threadIdx.y; t < K * K; t += kWeightRows) {
    float total = 0.0f;
    for (int r = 0; r < kWeightRows; ++r) total += row_sums[r][t][threadIdx.x];
    partials[(blockIdx.y * int64_t{K * K} + t) * w.channels + c] = total;
  }
}

// out[i] = the sum over chunks b, in order, of partials[b * size + i].
__global__ void SumChunksKernel(const float* __restrict__ partials,
                                int64_t chunks, int64_t size,
                                float* __restrict__ out) {
  for (int64_t i = FirstThread(); i < size; i += ThreadCount()) {
    float total = 0.0f;
    for (int64_t b = 0; b < chunks; ++b) total += partials[b * size + i];
    out[i] = total;
  }
}

}  // namespace

std::string CudaDepthwiseForward(const WindowGeometry& g, const float* input,
                                 int64_t input_ld, bool relu_input,
                                 const float* weight, float* output,
                                 int64_t output_ld, void* stream) {
  if (std::string why = Unsupported(__func__, g, {input_ld, output_ld});
      !why.empty()) {
    return why;
  }
  const auto kernel = g.kernel == 3 ? &ForwardKernel<3> : &ForwardKernel<5>;
  kernel<<<BlocksFor(g.out_pixels() * g.channels), kThreads, 0,
           static_cast<cudaStream_t>(stream)>>>(
      WindowOf(g), input, input_ld, relu_input, weight, output, output_ld);
  return CudaErrorText(cudaGetLastError());
}

std::string CudaDepthwiseBackwardInput(const WindowGeometry& g,
                                       const float* grad_output,
                                       int64_t grad_ld, const float* weight,
                                       const float* relu_input,
                                       int64_t relu_input_ld, float* grad_input,
                                       int64_t grad_input_ld, void* stream) {
  const int64_t mask_ld = relu_input != nullptr ? relu_input_ld : g.channels;
  if (std::string why =
          Unsupported(__func__, g, {grad_ld, grad_input_ld, mask_ld});
      !why.empty()) {
    return why;
  }
  const auto kernel =
      g.kernel == 3 ? &BackwardInputKernel<3> : &BackwardInputKernel<5>;
  kernel<<<BlocksFor(g.in_pixels() * g.channels), kThreads, 0,
           static_cast<cudaStream_t>(stream)>>>(
      WindowOf(g), grad_output, grad_ld, weight, relu_input, relu_input_ld,
      grad_input, grad_input_ld);
  return CudaErrorText(cudaGetLastError());
}

std::string CudaDepthwiseBackwardWeight(const WindowGeometry& g,
                                        const float* grad_output,
                                        int64_t grad_ld, const float* input,
                                        int64_t input_ld, bool relu_input,
                                        float* grad_weight, void* stream) {
  if (std::string why = Unsupported(__func__, g, {grad_ld, input_ld});
      !why.empty()) {
    return why;
  }
  const auto cuda_stream = static_cast<cudaStream_t>(stream);
  const int64_t out_pixels = g.out_pixels();
  const int64_t chunk_pixels =
      std::max(kMinChunkPixels, (out_pixels + kMaxChunks - 1) / kMaxChunks);
  const int64_t chunks = (out_pixels + chunk_pixels - 1) / chunk_pixels;
  const int64_t size = g.kernel * g.kernel * g.channels;
  float* partials = nullptr;
  cudaError_t error =
      cudaMallocAsync(&partials, chunks * size * sizeof(float), cuda_stream);
  if (error != cudaSuccess) return CudaErrorText(error);
  const auto partials_kernel =
      g.kernel == 3 ? &WeightPartialsKernel<3> : &WeightPartialsKernel<5>;
  const dim3 blocks((g.channels + kWeightLanes - 1) / kWeightLanes, chunks);
  partials_kernel<<<blocks, dim3(kWeightLanes, kWeightRows), 0, cuda_stream>>>(
      WindowOf(g), grad_output, grad_ld, input, input_ld, relu_input,
      chunk_pixels, partials);
  error = cudaGetLastError();
  if (error == cudaSuccess) {
    SumChunksKernel<<<BlocksFor(size), kThreads, 0, cuda_stream>>>(
        partials, chunks, size, grad_weight);
    error = cudaGetLastError();
  }
  const cudaError_t free_error = cudaFreeAsync(partials, cuda_stream);
  return CudaErrorText(error != cudaSuccess ? error : free_error);
}

}  // namespace mdenas
