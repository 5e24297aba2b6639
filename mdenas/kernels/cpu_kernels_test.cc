#include "mdenas/kernels/cpu_kernels.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "mdenas/kernels/kernel_test_util.h"

namespace mdenas {
namespace {

// The instruction sets the processor reports to Linux, the "flags" of
// /proc/cpuinfo: an account of the machine that does not go through the
// CPUID queries of CpuKernelVariantsOfThisMachine. Empty where there is
// none.
std::set<std::string> ProcessorFlags() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("flags", 0) != 0 || line.find(':') == std::string::npos) continue;
    std::istringstream flags(line.substr(line.find(':') + 1));
    return {std::istream_iterator<std::string>(flags), std::istream_iterator<std::string>()};
  }
  return {};
}

// The variants a processor with `flags` runs, best first: each needs the
// instruction sets simd.h compiles it for.
std::vector<std::string> VariantsFor(const std::set<std::string>& flags) {
  auto has = [&](std::initializer_list<const char*> names) {
    return std::all_of(names.begin(), names.end(),
                       [&](const char* name) { return flags.count(name) > 0; });
  };
  std::vector<std::string> variants;
  if (has({"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma"})) {
    variants.push_back("avx512");
  }
  if (has({"avx2", "fma"})) variants.push_back("avx2");
  variants.push_back("baseline");
  return variants;
}

TEST(CpuKernelsTest, TheEnvironmentChoosesTheVariant) {
  const char* forced = std::getenv(kCpuKernelsVariable);
  const std::string name = CpuKernels<float>().name;
  EXPECT_EQ(std::string(CpuKernels<double>().name), name);
  if (forced != nullptr && *forced != '\0') {
    EXPECT_EQ(name, forced);
    return;
  }
  const std::set<std::string> flags = ProcessorFlags();
  if (flags.empty()) GTEST_SKIP() << "/proc/cpuinfo has no flags to check the choice against";
  EXPECT_EQ(name, VariantsFor(flags).front());
}

TEST(CpuKernelsTest, TheVariantsOfThisMachineAreWhatItsProcessorRunsBestFirst) {
  const std::set<std::string> flags = ProcessorFlags();
  if (flags.empty()) GTEST_SKIP() << "/proc/cpuinfo has no flags to check the variants against";
  EXPECT_EQ(CpuKernelVariantsOfThisMachine(), VariantsFor(flags));
}

// The product C = A B of float matrices A [m][depth] and B [depth][n] of
// any strides (B's columns contiguous), into c with row stride ldc.
GemmOperands<float> ProductOf(const at::Tensor& a, const at::Tensor& b, float* c, int64_t ldc) {
  GemmOperands<float> product;
  product.m = a.size(0);
  product.n = b.size(1);
  product.depth = a.size(1);
  product.a = a.data_ptr<float>();
  product.a_row_stride = a.stride(0);
  product.a_depth_stride = a.stride(1);
  product.b = b.data_ptr<float>();
  product.ldb = b.stride(0);
  product.c = c;
  product.ldc = ldc;
  return product;
}

// C = A B with A given by strides: plain (pixels x channels) and transposed
// (a weight gradient), B's rows wider than its columns, with an image-long
// reduction and ones long enough to be split in blocks, and many rows of
// several column blocks; with ReLU on A or B, or ReLU's gradient on C.
TEST(CpuKernelsTest, GemmEqualsMatmulForEveryStrideSizeAndExtra) {
  torch::manual_seed(0);
  struct Size {
    int64_t m, n, depth;
  };
  enum Extra { kNone, kReluA, kReluB, kMaskC };
  for (const Size& size : {Size{1, 1, 1}, Size{13, 17, 5}, Size{50, 64, 48}, Size{16, 24, 700},
                           Size{16, 24, 5000}, Size{7, 3, 3000}, Size{250, 70, 33}}) {
    for (bool transposed : {false, true}) {
      for (Extra extra : {kNone, kReluA, kReluB, kMaskC}) {
        const at::Tensor a = transposed ? torch::randn({size.depth, size.m}).t()
                                        : torch::randn({size.m, size.depth});
        const at::Tensor b = torch::randn({size.depth, size.n + 5}).slice(1, 0, size.n);
        const at::Tensor mask = torch::randn({size.m, size.n});
        at::Tensor c = torch::full({size.m, size.n + 3}, 7.0f);
        GemmOperands<float> product = ProductOf(a, b, c.data_ptr<float>(), size.n + 3);
        product.relu_a = extra == kReluA;
        product.relu_b = extra == kReluB;
        if (extra == kMaskC) {
          product.c_mask = mask.data_ptr<float>();
          product.c_mask_ld = size.n;
        }
        CpuKernels<float>().gemm(product);
        at::Tensor expected =
            at::matmul(extra == kReluA ? a.relu() : a, extra == kReluB ? b.relu() : b);
        if (extra == kMaskC) expected = expected * (mask > 0);
        EXPECT_TRUE(TensorsNear(c.slice(1, 0, size.n), expected, 1e-4, 1e-3))
            << size.m << "x" << size.n << " depth " << size.depth
            << (transposed ? " transposed" : "") << " extra " << extra;
        // Columns past n are not touched.
        EXPECT_TRUE(torch::equal(c.slice(1, size.n), torch::full({size.m, 3}, 7.0f)));
      }
    }
  }
}

// The gradient kernels' bases: with one, each writes base + what it writes
// without, both into other memory and accumulating in the base itself;
// every stride and window the search uses (the depthwise kernel scatters
// with stride 2, and so does pooling). The gathers' gradient adds.
TEST(CpuKernelsTest, GradientKernelsAddTheirBase) {
  torch::manual_seed(2);
  const CpuKernelTable<float>& kernels = CpuKernels<float>();
  // Channels 11 of a row stride 13: a full vector and a partial one.
  const int64_t channels = 11, ld = 13;
  auto image = [&](int64_t pixels) { return torch::randn({pixels, ld}); };
  // Two 9x7 images of those channels, under a window.
  auto window = [&](int64_t kernel, int64_t stride, int64_t dilation, int64_t padding) {
    WindowGeometry g;
    g.batch = 2;
    g.height = 9;
    g.width = 7;
    g.channels = channels;
    g.kernel = kernel;
    g.stride = stride;
    g.dilation = dilation;
    g.padding = padding;
    return g;
  };
  // run(out, base) writes the gradient of `pixels` pixels into out (with
  // the given base, or none); the results with a base, into fresh memory and
  // in place, must be base + the result without one.
  auto check = [&](int64_t pixels, const std::function<void(float*, const float*)>& run,
                   const std::string& what) {
    const at::Tensor base = image(pixels);
    at::Tensor plain = torch::zeros({pixels, ld}), added = torch::zeros({pixels, ld});
    run(plain.data_ptr<float>(), nullptr);
    run(added.data_ptr<float>(), base.data_ptr<float>());
    at::Tensor accumulated = base.clone();
    run(accumulated.data_ptr<float>(), accumulated.data_ptr<float>());
    const at::Tensor expected = (base + plain).slice(1, 0, channels);
    EXPECT_TRUE(TensorsNear(added.slice(1, 0, channels), expected, 1e-6, 1e-6)) << what;
    EXPECT_TRUE(TensorsNear(accumulated.slice(1, 0, channels), expected, 1e-6, 1e-6))
        << what << " in place";
  };
  for (int64_t kernel : {3, 5, 7}) {
    for (int64_t stride : {1, 2}) {
      for (int64_t dilation : {1, 2}) {
        if (!DepthwiseKernelsTake(kernel, stride, dilation)) continue;
        const WindowGeometry g = window(kernel, stride, dilation, dilation * (kernel - 1) / 2);
        const at::Tensor dy = image(g.out_pixels()), x = image(g.in_pixels());
        const at::Tensor w = torch::randn({kernel * kernel, channels});
        check(g.in_pixels(),
              [&](float* out, const float* base) {
                kernels.depthwise_backward_input(g, dy.data_ptr<float>(), ld, w.data_ptr<float>(),
                                                 x.data_ptr<float>(), ld, out, ld, base, ld);
              },
              "depthwise " + std::to_string(kernel) + "/" + std::to_string(stride) + "/" +
                  std::to_string(dilation));
      }
    }
  }
  for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage}) {
    for (int64_t stride : {1, 2}) {
      const WindowGeometry g = window(3, stride, 1, 1);
      const at::Tensor dy = image(g.out_pixels()), x = image(g.in_pixels());
      check(g.in_pixels(),
            [&](float* out, const float* base) {
              kernels.pool_backward(kind, g, x.data_ptr<float>(), ld, dy.data_ptr<float>(), ld,
                                    out, ld, base, ld);
            },
            std::string(kind == PoolKind::kMax ? "max" : "average") + " pool stride " +
                std::to_string(stride));
    }
  }
  // Masked as a dense 1x1 convolution's input gradient, and a long
  // reduction into few rows (split in blocks).
  for (int64_t depth : {16, 3000}) {
    const int64_t rows = depth < 100 ? 40 : 5;
    const at::Tensor a = torch::randn({rows, depth}),
                     b = torch::randn({depth, ld}).slice(1, 0, channels);
    const at::Tensor mask = image(rows);
    check(rows,
          [&](float* out, const float* base) {
            GemmOperands<float> product = ProductOf(a, b, out, ld);
            if (depth < 100) {
              product.c_mask = mask.data_ptr<float>();
              product.c_mask_ld = ld;
            }
            product.c_base = base;
            product.c_base_ld = ld;
            kernels.gemm(product);
          },
          "gemm depth " + std::to_string(depth));
  }
  // The gathers of a factorized reduction: stride 2, offsets 0 and 1.
  const WindowGeometry g = window(1, 2, 1, 0);
  const at::Tensor x = image(g.in_pixels());
  for (int64_t offset : {0, 1}) {
    const at::Tensor dy = image(GatheredSize(9, 2, offset) * GatheredSize(7, 2, offset) * 2);
    const at::Tensor before = image(g.in_pixels());
    at::Tensor grad = before.clone();
    kernels.scatter_relu_gradient(g, offset, dy.data_ptr<float>(), ld, x.data_ptr<float>(), ld,
                                  grad.data_ptr<float>(), ld);
    at::Tensor expected = before.clone();
    for (int64_t n = 0, q = 0; n < 2; ++n) {
      for (int64_t i = offset; i < 9; i += 2) {
        for (int64_t j = offset; j < 7; j += 2, ++q) {
          const int64_t p = (n * 9 + i) * 7 + j;
          expected[p] += dy[q] * (x[p] > 0);
        }
      }
    }
    EXPECT_TRUE(TensorsNear(grad.slice(1, 0, channels), expected.slice(1, 0, channels), 1e-6, 1e-6))
        << "scatter offset " << offset;
  }
}

// A window the depthwise kernels were not built for fails, naming it,
// rather than running as another.
TEST(CpuKernelsTest, DepthwiseKernelsRejectWindowsTheyDoNotTake) {
  const CpuKernelTable<float>& kernels = CpuKernels<float>();
  for (const auto& [kernel, dilation, name] :
       {std::tuple{7, 2, "7x7 of stride 1, dilation 2"}, {4, 1, "4x4 of stride 1, dilation 1"}}) {
    ASSERT_FALSE(DepthwiseKernelsTake(kernel, 1, dilation)) << name;
    WindowGeometry g;
    g.kernel = kernel;
    g.dilation = dilation;
    g.padding = dilation * (kernel - 1);
    std::vector<float> x(g.in_pixels()), w(kernel * kernel), y(g.out_pixels());
    try {
      kernels.depthwise_forward(g, x.data(), 1, false, w.data(), y.data(), 1);
      ADD_FAILURE() << name << " ran";
    } catch (const c10::Error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

TEST(CpuKernelsTest, SumInOrderAddsThePartsElementwise) {
  const at::Tensor parts = torch::randn({5, 3000});
  at::Tensor out = torch::empty({3000});
  CpuKernels<float>().sum_in_order(parts.data_ptr<float>(), 5, 3000, out.data_ptr<float>());
  EXPECT_TRUE(TensorsNear(out, parts.sum(0), 1e-5, 1e-5));
}

// Inputs of their own row strides, centred and scaled per column or not,
// plus a shift or not, into a slice of a wider output whose other columns
// stay.
TEST(CpuKernelsTest, SumMatricesCentresScalesAndShiftsPerColumn) {
  torch::manual_seed(1);
  const int64_t rows = 300, cols = 21;
  const at::Tensor a = torch::randn({rows, cols + 2}), b = torch::randn({rows, cols}),
                   c = torch::randn({rows, cols + 5});
  const at::Tensor center_a = torch::randn({cols}), center_b = torch::randn({cols});
  const at::Tensor scale_a = torch::randn({cols}), scale_c = torch::randn({cols});
  const at::Tensor shift = torch::randn({cols});
  const float* inputs[] = {a.data_ptr<float>(), b.data_ptr<float>(), c.data_ptr<float>()};
  const int64_t lds[] = {cols + 2, cols, cols + 5};
  const float* centers[] = {center_a.data_ptr<float>(), center_b.data_ptr<float>(), nullptr};
  const float* scales[] = {scale_a.data_ptr<float>(), nullptr, scale_c.data_ptr<float>()};
  const at::Tensor first = a.slice(1, 0, cols), third = c.slice(1, 0, cols);
  for (bool centred : {false, true}) {
    for (bool scaled : {false, true}) {
      for (bool shifted : {false, true}) {
        at::Tensor out = torch::full({rows, cols + 4}, 7.0f);
        CpuKernels<float>().sum_matrices(rows, cols, inputs, lds, centred ? centers : nullptr,
                                         scaled ? scales : nullptr,
                                         shifted ? shift.data_ptr<float>() : nullptr, 3,
                                         out.data_ptr<float>() + 1, cols + 4);
        const at::Tensor x = centred ? first - center_a : first, y = centred ? b - center_b : b;
        at::Tensor expected = scaled ? x * scale_a + y + third * scale_c : x + y + third;
        if (shifted) expected = expected + shift;
        EXPECT_TRUE(TensorsNear(out.slice(1, 1, cols + 1), expected, 1e-5, 1e-5))
            << (centred ? "centred " : "") << (scaled ? "scaled " : "")
            << (shifted ? "shifted" : "");
        EXPECT_TRUE(torch::equal(out.slice(1, 0, 1), torch::full({rows, 1}, 7.0f)));
        EXPECT_TRUE(torch::equal(out.slice(1, cols + 1), torch::full({rows, 3}, 7.0f)));
      }
    }
  }
}

// out = u * a + (v - center) * b + d: with a large mean, centring first
// keeps what scaling first would round away.
TEST(CpuKernelsTest, ColumnCombineCentresBeforeScaling) {
  const int64_t rows = 64, cols = 5;
  const at::Tensor u = torch::randn({rows, cols}, torch::kDouble);
  const at::Tensor v = torch::randn({rows, cols}, torch::kDouble) * 1e-3 + 1e4;
  const at::Tensor a = torch::randn({cols}, torch::kDouble), d = torch::randn({cols}, torch::kDouble);
  const at::Tensor b = torch::full({cols}, 1e3, torch::kDouble);
  const at::Tensor center = torch::full({cols}, 1e4, torch::kDouble);
  const at::Tensor uf = u.to(torch::kFloat), vf = v.to(torch::kFloat);
  const at::Tensor af = a.to(torch::kFloat), bf = b.to(torch::kFloat), df = d.to(torch::kFloat);
  const at::Tensor cf = center.to(torch::kFloat);
  at::Tensor out = torch::empty({rows, cols});
  CpuKernels<float>().column_combine(rows, cols, uf.data_ptr<float>(), cols, af.data_ptr<float>(),
                                     vf.data_ptr<float>(), cols, cf.data_ptr<float>(),
                                     bf.data_ptr<float>(), df.data_ptr<float>(),
                                     out.data_ptr<float>(), cols);
  const at::Tensor expected =
      uf.to(torch::kDouble) * af.to(torch::kDouble) +
      (vf.to(torch::kDouble) - cf.to(torch::kDouble)) * bf.to(torch::kDouble) + df.to(torch::kDouble);
  EXPECT_TRUE(TensorsNear(out, expected, 1e-5, 1e-5));
}

TEST(CpuKernelsTest, ColumnMomentsAreExactForLargeOffsets) {
  const at::Tensor x = torch::randn({10000, 5}, torch::kDouble) * 0.01 + 1e4;
  const at::Tensor xf = x.to(torch::kFloat);
  double mean[5], variance[5];
  CpuKernels<float>().column_moments(10000, 5, xf.data_ptr<float>(), 5, mean, variance);
  const at::Tensor xd = xf.to(torch::kDouble);
  for (int c = 0; c < 5; ++c) {
    const at::Tensor column = xd.select(1, c);
    // Float sums of 1e4s keep 1e-7 of the mean; the variance (1e-4) must
    // not suffer from it.
    EXPECT_NEAR(mean[c], column.mean().item<double>(), 1e-3);
    EXPECT_NEAR(variance[c], column.var(/*unbiased=*/false).item<double>(), 1e-6);
  }
}

}  // namespace
}  // namespace mdenas
