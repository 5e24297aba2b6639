#include "mdenas/kernels/cuda_depthwise.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "mdenas/kernels/cuda_buffer.h"
#include "mdenas/kernels/cuda_probe.h"

namespace mdenas {
namespace {

// A batch of images; its pixel matrices are padded by `ld_extra` columns,
// and `relu` asks for the kernels' ReLU-on-input options.
struct Shape {
  int64_t batch, height, width, channels, ld_extra;
  bool relu;
};

// Odd sizes; channel counts below, at and above a warp's 32; images smaller
// than the window's reach; enough pixels for several weight-gradient chunks;
// padded rows. Then a few drawn at random.
std::vector<Shape> Shapes() {
  std::vector<Shape> shapes = {
      {1, 5, 7, 1, 0, false},  {2, 8, 8, 32, 0, false},
      {3, 11, 6, 45, 0, true}, {2, 13, 9, 70, 3, true},
      {2, 3, 4, 3, 5, false},  {4, 17, 15, 33, 1, true},
  };
  std::mt19937 random(7);
  auto uniform = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  for (int i = 0; i < 4; ++i) {
    shapes.push_back({uniform(1, 4), uniform(1, 20), uniform(1, 20),
                      uniform(1, 100), uniform(0, 4), uniform(0, 1) == 1});
  }
  return shapes;
}

std::string Describe(const Shape& s) {
  return "batch " + std::to_string(s.batch) + ", " + std::to_string(s.height) +
         "x" + std::to_string(s.width) + ", channels " +
         std::to_string(s.channels) + ", ld +" + std::to_string(s.ld_extra) +
         (s.relu ? ", relu" : "");
}

// Kernel size, dilation, stride.
using Window = std::tuple<int64_t, int64_t, int64_t>;

WindowGeometry GeometryOf(const Shape& s, const Window& window) {
  const auto [kernel, dilation, stride] = window;
  WindowGeometry g;
  g.batch = s.batch;
  g.height = s.height;
  g.width = s.width;
  g.channels = s.channels;
  g.kernel = kernel;
  g.dilation = dilation;
  g.stride = stride;
  g.padding = dilation * (kernel - 1) / 2;
  return g;
}

// Columns past the channels: NaN in inputs, so that a kernel reading them
// spoils its result; a marker in outputs, which must stay.
const float kNotData = std::numeric_limits<float>::quiet_NaN();
constexpr float kUntouched = -12345.0f;

// A pixel matrix of `pixels` rows, uniform in [-1, 1) in its channels.
std::vector<float> RandomMatrix(int64_t pixels, int64_t channels, int64_t ld,
                                std::mt19937* random) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> m(pixels * ld, kNotData);
  for (int64_t p = 0; p < pixels; ++p) {
    for (int64_t c = 0; c < channels; ++c) m[p * ld + c] = uniform(*random);
  }
  return m;
}

// Calls visit(out_pixel, in_pixel, tap) for every window tap inside the
// image, straight from the definition.
template <typename Visit>
void ForEachTap(const WindowGeometry& g, Visit visit) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oh = 0; oh < ho; ++oh) {
      for (int64_t ow = 0; ow < wo; ++ow) {
        for (int64_t kh = 0; kh < g.kernel; ++kh) {
          for (int64_t kw = 0; kw < g.kernel; ++kw) {
            const int64_t h = oh * g.stride - g.padding + kh * g.dilation;
            const int64_t w = ow * g.stride - g.padding + kw * g.dilation;
            if (h < 0 || h >= g.height || w < 0 || w >= g.width) continue;
            visit((n * ho + oh) * wo + ow, (n * g.height + h) * g.width + w,
                  kh * g.kernel + kw);
          }
        }
      }
    }
  }
}

// A sum in double precision, with the sum of its terms' magnitudes, which
// bounds float rounding error.
struct Sum {
  double value = 0;
  double magnitude = 0;
  void Add(double term) {
    value += term;
    magnitude += std::abs(term);
  }
};

// `actual` [rows][ld] holds `expected` [rows][channels] in its channels,
// within float rounding, and kUntouched past them.
void ExpectMatches(const std::vector<float>& actual, int64_t ld,
                   const std::vector<Sum>& expected, int64_t channels) {
  ASSERT_EQ(actual.size() / ld, expected.size() / channels);
  int failures = 0;
  for (size_t row = 0; row < expected.size() / channels && failures < 10;
       ++row) {
    for (int64_t c = 0; c < ld; ++c) {
      const float got = actual[row * ld + c];
      if (c >= channels) {
        if (got != kUntouched) ++failures;
        EXPECT_EQ(got, kUntouched) << "row " << row << ", column " << c;
        continue;
      }
      const Sum& want = expected[row * channels + c];
      const double tolerance = 1e-4 * want.magnitude + 1e-6;
      if (!(std::abs(got - want.value) <= tolerance)) ++failures;
      EXPECT_NEAR(got, want.value, tolerance)
          << "row " << row << ", channel " << c;
    }
  }
}

void ExpectOk(const std::string& error) { EXPECT_EQ(error, ""); }

// Host data of one shape and window, their device copies, and outputs
// filled with kUntouched.
struct Problem {
  Problem(const Shape& s, const Window& window)
      : g(GeometryOf(s, window)),
        input_ld(s.channels + s.ld_extra),
        output_ld(s.channels + 2 * s.ld_extra),
        relu(s.relu) {
    std::mt19937 random(11);
    input = RandomMatrix(g.in_pixels(), g.channels, input_ld, &random);
    weight = RandomMatrix(g.kernel * g.kernel, g.channels, g.channels, &random);
    grad_output = RandomMatrix(g.out_pixels(), g.channels, output_ld, &random);
    ExpectOk(device_input.CopyFrom(input));
    ExpectOk(device_weight.CopyFrom(weight));
    ExpectOk(device_grad_output.CopyFrom(grad_output));
  }

  // Input element (pixel p, channel c) as the kernel reads it.
  double In(int64_t p, int64_t c) const {
    const double x = input[p * input_ld + c];
    return relu && x <= 0 ? 0 : x;
  }

  WindowGeometry g;
  int64_t input_ld, output_ld;
  bool relu;
  std::vector<float> input, weight, grad_output;
  CudaFloatBuffer device_input, device_weight, device_grad_output;
};

class CudaDepthwiseTest : public ::testing::TestWithParam<Window> {
 protected:
  void SetUp() override {
    std::string why_not;
    if (!CudaDeviceAvailable(&why_not)) {
      GTEST_SKIP() << "no CUDA device to run on: " << why_not;
    }
  }
};

TEST_P(CudaDepthwiseTest, ForwardMatchesTheDefinition) {
  for (const Shape& shape : Shapes()) {
    SCOPED_TRACE(Describe(shape));
    const Problem p(shape, GetParam());
    const int64_t channels = p.g.channels;
    std::vector<Sum> expected(p.g.out_pixels() * channels);
    ForEachTap(p.g, [&](int64_t out, int64_t in, int64_t tap) {
      for (int64_t c = 0; c < channels; ++c) {
        expected[out * channels + c].Add(p.weight[tap * channels + c] *
                                         p.In(in, c));
      }
    });
    CudaFloatBuffer output;
    ExpectOk(output.CopyFrom(
        std::vector<float>(p.g.out_pixels() * p.output_ld, kUntouched)));
    ExpectOk(CudaDepthwiseForward(p.g, p.device_input.data(), p.input_ld,
                                  p.relu, p.device_weight.data(), output.data(),
                                  p.output_ld));
    std::vector<float> actual;
    ExpectOk(output.CopyTo(&actual));
    ExpectMatches(actual, p.output_ld, expected, channels);
  }
}

TEST_P(CudaDepthwiseTest, InputGradientMatchesTheDefinition) {
  for (const Shape& shape : Shapes()) {
    SCOPED_TRACE(Describe(shape));
    const Problem p(shape, GetParam());
    const int64_t channels = p.g.channels;
    std::vector<Sum> expected(p.g.in_pixels() * channels);
    ForEachTap(p.g, [&](int64_t out, int64_t in, int64_t tap) {
      for (int64_t c = 0; c < channels; ++c) {
        // ReLU's gradient: nothing flows where its input is <= 0.
        if (p.relu && !(p.input[in * p.input_ld + c] > 0)) continue;
        expected[in * channels + c].Add(
            p.weight[tap * channels + c] *
            double{p.grad_output[out * p.output_ld + c]});
      }
    });
    CudaFloatBuffer grad_input;
    ExpectOk(grad_input.CopyFrom(
        std::vector<float>(p.g.in_pixels() * p.input_ld, kUntouched)));
    ExpectOk(CudaDepthwiseBackwardInput(
        p.g, p.device_grad_output.data(), p.output_ld, p.device_weight.data(),
        p.relu ? p.device_input.data() : nullptr, p.input_ld, grad_input.data(),
        p.input_ld));
    std::vector<float> actual;
    ExpectOk(grad_input.CopyTo(&actual));
    ExpectMatches(actual, p.input_ld, expected, channels);
  }
}

TEST_P(CudaDepthwiseTest, WeightGradientMatchesTheDefinition) {
  for (const Shape& shape : Shapes()) {
    SCOPED_TRACE(Describe(shape));
    const Problem p(shape, GetParam());
    const int64_t channels = p.g.channels;
    std::vector<Sum> expected(p.g.kernel * p.g.kernel * channels);
    ForEachTap(p.g, [&](int64_t out, int64_t in, int64_t tap) {
      for (int64_t c = 0; c < channels; ++c) {
        expected[tap * channels + c].Add(p.grad_output[out * p.output_ld + c] *
                                         p.In(in, c));
      }
    });
    CudaFloatBuffer grad_weight;
    ExpectOk(grad_weight.CopyFrom(std::vector<float>(expected.size(), 0.0f)));
    ExpectOk(CudaDepthwiseBackwardWeight(
        p.g, p.device_grad_output.data(), p.output_ld, p.device_input.data(),
        p.input_ld, p.relu, grad_weight.data()));
    std::vector<float> actual;
    ExpectOk(grad_weight.CopyTo(&actual));
    ExpectMatches(actual, channels, expected, channels);
  }
}

TEST_P(CudaDepthwiseTest, RejectsLeadingDimensionsBelowTheChannels) {
  const Problem p({1, 4, 4, 8, 0, false}, GetParam());
  CudaFloatBuffer output;
  ExpectOk(output.CopyFrom(std::vector<float>(p.g.out_pixels() * 8)));
  EXPECT_NE(CudaDepthwiseForward(p.g, p.device_input.data(), 7, false,
                                 p.device_weight.data(), output.data(), 8),
            "");
}

std::string WindowName(const ::testing::TestParamInfo<Window>& info) {
  const auto [kernel, dilation, stride] = info.param;
  return "kernel" + std::to_string(kernel) + "_dilation" +
         std::to_string(dilation) + "_stride" + std::to_string(stride);
}

// Every window of the DARTS space's sep_conv and dil_conv: kernel 3 and 5,
// dilation 1 and 2, stride 1 (normal cells) and 2 (reduction cells).
INSTANTIATE_TEST_SUITE_P(DartsWindows, CudaDepthwiseTest,
                         ::testing::Combine(::testing::Values(3, 5),
                                            ::testing::Values(1, 2),
                                            ::testing::Values(1, 2)),
                         WindowName);

}  // namespace
}  // namespace mdenas
