#include "mdenas/nn/layers.h"

#include "absl/strings/match.h"

namespace mdenas {
namespace {

thread_local MacCounter* active_counter = nullptr;

}  // namespace

MacCounter::MacCounter() : previous_(active_counter) { active_counter = this; }

MacCounter::~MacCounter() { active_counter = previous_; }

void MacCounter::Add(int64_t macs) {
  if (active_counter != nullptr) active_counter->total_ += macs;
}

torch::Tensor CountedConv2dImpl::forward(const torch::Tensor& input) {
  torch::Tensor output = Conv2dImpl::forward(input);
  CountMacs(output.numel());
  return output;
}

void CountedConv2dImpl::CountMacs(int64_t output_elements) const {
  // Every output element takes (in_channels / groups) * kh * kw products.
  const auto& kernel = options.kernel_size();
  MacCounter::Add(output_elements * (options.in_channels() / options.groups()) *
                  (*kernel)[0] * (*kernel)[1]);
}

torch::Tensor CountedLinearImpl::forward(const torch::Tensor& input) {
  torch::Tensor output = LinearImpl::forward(input);
  MacCounter::Add(output.numel() * options.in_features());
  return output;
}

CountedConv2d Conv(int64_t in_channels, int64_t out_channels, int64_t kernel,
                   int64_t stride, int64_t padding, int64_t dilation,
                   int64_t groups) {
  return CountedConv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                           .stride(stride)
                           .padding(padding)
                           .dilation(dilation)
                           .groups(groups)
                           .bias(false));
}

int64_t CountParameters(const torch::nn::Module& module,
                        bool include_auxiliary) {
  int64_t count = 0;
  for (const auto& item : module.named_parameters()) {
    if (!include_auxiliary && absl::StartsWith(item.key(), "auxiliary")) {
      continue;
    }
    count += item.value().numel();
  }
  return count;
}

}  // namespace mdenas
