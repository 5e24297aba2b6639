// Throughput of the raw CPU kernels on the shapes of the search network
// (batch 64, 16 channels at 32x32, 32 at 16x16, 64 at 8x8), one thread:
//
//   bazel run //mdenas/kernels:cpu_kernels_benchmark -- --benchmark_format=json
//
// --batch=1 gives one image's shapes, as the fused units call the kernels:
// operands that stay in the L2 cache instead of streaming from memory.
//
// `flops` counts 2 per multiply-add; `bytes` the tensor data each call must
// read and write at least once.

#include <algorithm>
#include <charconv>
#include <iostream>
#include <string_view>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "benchmark/benchmark.h"
#include "mdenas/kernels/cpu_kernels.h"

namespace mdenas {
namespace {

// Images per call: --batch.
int64_t batch = 64;

// Pixels and channels of the three stages: (batch * side^2, channels).
int64_t Pixels(int64_t stage) { return batch * (32 >> stage) * (32 >> stage); }
int64_t Channels(int64_t stage) { return 16 << stage; }

void SetCounters(benchmark::State& state, double flops, double bytes) {
  state.counters["flops"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate);
}

// A 1x1 convolution: pixels x C_in times C_in x C_out. range(1) multiplies
// C_in: 1 for a pointwise convolution, which reads the depthwise output as
// it is; 4 for a cell's preprocessing, which reads ReLU of its 4C-channel
// input.
void BM_Conv1x1Forward(benchmark::State& state) {
  at::set_num_threads(1);
  const int64_t p = Pixels(state.range(0)), c = Channels(state.range(0));
  const int64_t c_in = c * state.range(1);
  const at::Tensor a = torch::randn({p, c_in}), b = torch::randn({c_in, c});
  at::Tensor out = torch::empty({p, c});
  GemmOperands<float> product;
  product.m = p;
  product.n = c;
  product.depth = c_in;
  product.a = a.data_ptr<float>();
  product.a_row_stride = c_in;
  product.a_depth_stride = 1;
  product.relu_a = state.range(1) > 1;
  product.b = b.data_ptr<float>();
  product.ldb = c;
  product.c = out.data_ptr<float>();
  product.ldc = c;
  for (auto _ : state) CpuKernels<float>().gemm(product);
  SetCounters(state, 2.0 * p * c * c_in, 4.0 * p * (c_in + c));
}
BENCHMARK(BM_Conv1x1Forward)->ArgsProduct({{0, 1, 2}, {1, 4}});

// The weight gradient: C_out x pixels times pixels x C_in, range(1) as
// for the forward (ReLU of the input with 4).
void BM_Conv1x1BackwardWeight(benchmark::State& state) {
  at::set_num_threads(1);
  const int64_t p = Pixels(state.range(0)), c = Channels(state.range(0));
  const int64_t c_in = c * state.range(1);
  const at::Tensor dy = torch::randn({p, c}), x = torch::randn({p, c_in});
  at::Tensor out = torch::empty({c, c_in});
  GemmOperands<float> product;
  product.m = c;
  product.n = c_in;
  product.depth = p;
  product.a = dy.data_ptr<float>();
  product.a_row_stride = 1;
  product.a_depth_stride = c;
  product.b = x.data_ptr<float>();
  product.ldb = c_in;
  product.relu_b = state.range(1) > 1;
  product.c = out.data_ptr<float>();
  product.ldc = c_in;
  for (auto _ : state) CpuKernels<float>().gemm(product);
  SetCounters(state, 2.0 * p * c * c_in, 4.0 * p * (c + c_in));
}
BENCHMARK(BM_Conv1x1BackwardWeight)->ArgsProduct({{0, 1, 2}, {1, 4}});

WindowGeometry Depthwise(benchmark::State& state) {
  WindowGeometry g;
  g.batch = batch;
  g.height = g.width = 32 >> state.range(0);
  g.channels = Channels(state.range(0));
  g.kernel = state.range(1);
  g.dilation = state.range(2);
  g.padding = g.dilation == 1 ? g.kernel / 2 : g.kernel - 1;
  return g;
}

double DepthwiseFlops(const WindowGeometry& g) {
  return 2.0 * g.out_pixels() * g.channels * g.kernel * g.kernel;
}

void BM_DepthwiseForward(benchmark::State& state) {
  at::set_num_threads(1);
  const WindowGeometry g = Depthwise(state);
  const at::Tensor x = torch::randn({g.in_pixels(), g.channels});
  const at::Tensor w = torch::randn({g.kernel * g.kernel, g.channels});
  at::Tensor y = torch::empty({g.out_pixels(), g.channels});
  for (auto _ : state) {
    CpuKernels<float>().depthwise_forward(g, x.data_ptr<float>(), g.channels, true,
                                          w.data_ptr<float>(), y.data_ptr<float>(), g.channels);
  }
  SetCounters(state, DepthwiseFlops(g), 8.0 * g.in_pixels() * g.channels);
}

void BM_DepthwiseBackwardInput(benchmark::State& state) {
  at::set_num_threads(1);
  const WindowGeometry g = Depthwise(state);
  const at::Tensor dy = torch::randn({g.out_pixels(), g.channels});
  const at::Tensor x = torch::randn({g.in_pixels(), g.channels});
  const at::Tensor w = torch::randn({g.kernel * g.kernel, g.channels});
  // Accumulated in place, as a fused cell adds an edge's gradient to its
  // input state's.
  at::Tensor dx = torch::zeros({g.in_pixels(), g.channels});
  for (auto _ : state) {
    CpuKernels<float>().depthwise_backward_input(
        g, dy.data_ptr<float>(), g.channels, w.data_ptr<float>(), x.data_ptr<float>(),
        g.channels, dx.data_ptr<float>(), g.channels, dx.data_ptr<float>(), g.channels);
  }
  SetCounters(state, DepthwiseFlops(g), 16.0 * g.in_pixels() * g.channels);
}

void BM_DepthwiseBackwardWeight(benchmark::State& state) {
  at::set_num_threads(1);
  const WindowGeometry g = Depthwise(state);
  const at::Tensor dy = torch::randn({g.out_pixels(), g.channels});
  const at::Tensor x = torch::randn({g.in_pixels(), g.channels});
  at::Tensor dw = torch::empty({g.kernel * g.kernel, g.channels});
  for (auto _ : state) {
    CpuKernels<float>().depthwise_backward_weight(g, dy.data_ptr<float>(), g.channels,
                                                  x.data_ptr<float>(), g.channels, true,
                                                  dw.data_ptr<float>());
  }
  SetCounters(state, DepthwiseFlops(g), 8.0 * g.in_pixels() * g.channels);
}

// Stage, kernel, dilation.
#define DEPTHWISE_ARGS ArgsProduct({{0, 1, 2}, {3, 5}, {1, 2}})
BENCHMARK(BM_DepthwiseForward)->DEPTHWISE_ARGS;
BENCHMARK(BM_DepthwiseBackwardInput)->DEPTHWISE_ARGS;
BENCHMARK(BM_DepthwiseBackwardWeight)->DEPTHWISE_ARGS;

// The 3x3 pooling of the space (padding 1): range(1) 0 for max, 1 for
// average pooling; range(2) the stride. `flops` counts a window tap as one.
WindowGeometry Pool(benchmark::State& state) {
  WindowGeometry g;
  g.batch = batch;
  g.height = g.width = 32 >> state.range(0);
  g.channels = Channels(state.range(0));
  g.kernel = 3;
  g.stride = state.range(2);
  g.padding = 1;
  return g;
}

PoolKind KindOf(benchmark::State& state) {
  return state.range(1) == 0 ? PoolKind::kMax : PoolKind::kAverage;
}

void BM_PoolForward(benchmark::State& state) {
  at::set_num_threads(1);
  const WindowGeometry g = Pool(state);
  const at::Tensor x = torch::randn({g.in_pixels(), g.channels});
  at::Tensor y = torch::empty({g.out_pixels(), g.channels});
  for (auto _ : state) {
    CpuKernels<float>().pool_forward(KindOf(state), g, x.data_ptr<float>(), g.channels,
                                     y.data_ptr<float>(), g.channels);
  }
  SetCounters(state, DepthwiseFlops(g) / 2, 4.0 * (g.in_pixels() + g.out_pixels()) * g.channels);
}

void BM_PoolBackward(benchmark::State& state) {
  at::set_num_threads(1);
  const WindowGeometry g = Pool(state);
  const at::Tensor x = torch::randn({g.in_pixels(), g.channels});
  const at::Tensor dy = torch::randn({g.out_pixels(), g.channels});
  // Accumulated in place, as in BM_DepthwiseBackwardInput.
  at::Tensor dx = torch::zeros({g.in_pixels(), g.channels});
  for (auto _ : state) {
    CpuKernels<float>().pool_backward(KindOf(state), g, x.data_ptr<float>(), g.channels,
                                      dy.data_ptr<float>(), g.channels, dx.data_ptr<float>(),
                                      g.channels, dx.data_ptr<float>(), g.channels);
  }
  SetCounters(state, DepthwiseFlops(g) / 2,
              4.0 * (3 * g.in_pixels() + g.out_pixels()) * g.channels);
}

// Stage, kind, stride.
#define POOL_ARGS ArgsProduct({{0, 1, 2}, {0, 1}, {1, 2}})
BENCHMARK(BM_PoolForward)->POOL_ARGS;
BENCHMARK(BM_PoolBackward)->POOL_ARGS;

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const std::string_view flag = "--batch=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const std::string_view value = arg.substr(std::min(arg.size(), flag.size()));
    const char* end = value.data() + value.size();
    int64_t images = 0;
    if (arg.substr(0, flag.size()) == flag &&
        std::from_chars(value.data(), end, images).ptr == end && !value.empty() && images >= 1) {
      mdenas::batch = images;
      continue;
    }
    std::cerr << "cpu_kernels_benchmark: bad flag " << arg
              << " (besides --benchmark_* flags, it takes --batch=N, N >= 1)\n";
    return 2;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
