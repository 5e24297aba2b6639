#include "mdenas/space/darts/operations.h"

#include <map>
#include <mutex>

#include <torch/torch.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mdenas/kernels/batch_norm_args.h"
#include "mdenas/kernels/conv_bn.h"
#include "mdenas/kernels/pool_bn.h"

namespace mdenas {
namespace {

// `name` with its prefix renamed by the first of `renames` it starts with.
std::string RenamePrefix(
    const std::string& name,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>> renames) {
  for (const auto& [from, to] : renames) {
    if (absl::StartsWith(name, from)) return absl::StrCat(to, name.substr(from.size()));
  }
  return name;
}

torch::nn::BatchNorm2d BatchNorm(int64_t channels, bool affine) {
  return torch::nn::BatchNorm2d(
      torch::nn::BatchNorm2dOptions(channels).affine(affine));
}

class ZeroImpl : public OperationImpl {
 public:
  explicit ZeroImpl(int64_t stride) : stride_(stride) {}
  torch::Tensor forward(const torch::Tensor& input) override {
    if (stride_ == 1) return input.mul(0.0);
    using torch::indexing::None;
    using torch::indexing::Slice;
    return input
        .index({Slice(), Slice(), Slice(None, None, stride_),
                Slice(None, None, stride_)})
        .mul(0.0);
  }
  bool is_zero() const override { return true; }

 private:
  int64_t stride_;
};

class IdentityImpl : public OperationImpl {
 public:
  torch::Tensor forward(const torch::Tensor& input) override { return input; }
  bool is_identity() const override { return true; }
  std::optional<FusedOperation> fused() override { return FusedOperation(); }
};

class PoolImpl : public OperationImpl {
 public:
  PoolImpl(PoolKind kind, int64_t channels, int64_t stride,
           const OperationOptions& options)
      : kind_(kind), stride_(stride), kernels_(options.kernels()) {
    if (options.pool_bn()) {
      bn_ = register_module("bn", BatchNorm(channels, options.affine()));
    }
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    return Pool3x3BatchNorm(input, kind_, stride_, bn_args(), kernels_);
  }
  std::optional<FusedOperation> fused() override {
    FusedOperation op;
    op.pool = PoolBatchNormUnit{kind_, stride_, bn_args()};
    return op;
  }

 private:
  std::optional<BatchNormArgs> bn_args() {
    if (!bn_) return std::nullopt;
    return BatchNormArgsOf(*bn_);
  }

  PoolKind kind_;
  int64_t stride_;
  Kernels kernels_;
  torch::nn::BatchNorm2d bn_{nullptr};
};

// ReLU, depthwise kxk (stride, dilation), pointwise 1x1, BN.
class DepthwiseSeparableImpl : public torch::nn::Module {
 public:
  DepthwiseSeparableImpl(int64_t in_channels, int64_t out_channels,
                         int64_t kernel, int64_t stride, int64_t padding,
                         int64_t dilation, const OperationOptions& options)
      : kernels_(options.kernels()),
        depthwise_options_(DepthwiseConv2dOptions()
                               .stride(stride)
                               .padding(padding)
                               .dilation(dilation)),
        depthwise_(register_module(
            "depthwise", Conv(in_channels, in_channels, kernel, stride,
                              padding, dilation, in_channels))),
        pointwise_(register_module("pointwise",
                                   Conv(in_channels, out_channels, 1))),
        bn_(register_module("bn", BatchNorm(out_channels, options.affine()))) {}
  torch::Tensor forward(const torch::Tensor& input) {
    torch::Tensor output = ReluSepConvBatchNorm(
        input, depthwise_->weight, depthwise_options_, pointwise_->weight,
        BatchNormArgsOf(*bn_), kernels_);
    CountMacs(output.numel());
    return output;
  }
  ConvBatchNormUnit fused_unit() {
    ConvBatchNormUnit unit;
    unit.front.depthwise = true;
    unit.front.kernel = depthwise_->options.kernel_size()->at(0);
    unit.front.stride = depthwise_options_.stride();
    unit.front.padding = depthwise_options_.padding();
    unit.front.dilation = depthwise_options_.dilation();
    unit.depthwise_weight = depthwise_->weight;
    unit.pointwise_weights = {pointwise_->weight};
    unit.bn = BatchNormArgsOf(*bn_);
    return unit;
  }
  void CountMacs(int64_t output_elements) const {
    const int64_t pixels = output_elements / pointwise_->options.out_channels();
    depthwise_->CountMacs(pixels * depthwise_->options.out_channels());
    pointwise_->CountMacs(output_elements);
  }

 private:
  Kernels kernels_;
  DepthwiseConv2dOptions depthwise_options_;
  CountedConv2d depthwise_;
  CountedConv2d pointwise_;
  torch::nn::BatchNorm2d bn_;
};
TORCH_MODULE(DepthwiseSeparable);

class SepConvImpl : public OperationImpl {
 public:
  SepConvImpl(int64_t channels, int64_t kernel, int64_t stride,
              const OperationOptions& options)
      : first_(register_module(
            "first", DepthwiseSeparable(channels, channels, kernel, stride,
                                        kernel / 2, 1, options))),
        second_(register_module(
            "second", DepthwiseSeparable(channels, channels, kernel, 1,
                                         kernel / 2, 1, options))) {}
  torch::Tensor forward(const torch::Tensor& input) override {
    return second_->forward(first_->forward(input));
  }
  std::optional<FusedOperation> fused() override {
    FusedOperation op;
    op.convs = {first_->fused_unit(), second_->fused_unit()};
    return op;
  }
  void CountMacs(int64_t output_elements) const override {
    first_->CountMacs(output_elements);
    second_->CountMacs(output_elements);
  }
  // DARTS's SepConv: op = (ReLU, depthwise, pointwise, BN) twice.
  std::string ReferenceName(const std::string& name) const override {
    return RenamePrefix(name, {{"first.depthwise.", "op.1."},
                               {"first.pointwise.", "op.2."},
                               {"first.bn.", "op.3."},
                               {"second.depthwise.", "op.5."},
                               {"second.pointwise.", "op.6."},
                               {"second.bn.", "op.7."}});
  }

 private:
  DepthwiseSeparable first_;
  DepthwiseSeparable second_;
};

class DilConvImpl : public OperationImpl {
 public:
  DilConvImpl(int64_t channels, int64_t kernel, int64_t stride,
              const OperationOptions& options)
      : conv_(register_module(
            "conv", DepthwiseSeparable(channels, channels, kernel, stride,
                                       kernel - 1, 2, options))) {}
  torch::Tensor forward(const torch::Tensor& input) override {
    return conv_->forward(input);
  }
  std::optional<FusedOperation> fused() override {
    FusedOperation op;
    op.convs = {conv_->fused_unit()};
    return op;
  }
  void CountMacs(int64_t output_elements) const override { conv_->CountMacs(output_elements); }
  // DARTS's DilConv: op = ReLU, depthwise, pointwise, BN.
  std::string ReferenceName(const std::string& name) const override {
    return RenamePrefix(
        name, {{"conv.depthwise.", "op.1."}, {"conv.pointwise.", "op.2."}, {"conv.bn.", "op.3."}});
  }

 private:
  DepthwiseSeparable conv_;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, OperationFactory> factories;
};

Registry& GetRegistry() {
  static Registry* const registry = [] {
    auto* registry = new Registry;
    using Options = OperationOptions;
    auto& ops = registry->factories;
    ops["none"] = [](int64_t, int64_t stride, const Options&) -> Operation {
      return std::make_shared<ZeroImpl>(stride);
    };
    ops["max_pool_3x3"] = [](int64_t c, int64_t stride,
                             const Options& o) -> Operation {
      return std::make_shared<PoolImpl>(PoolKind::kMax, c, stride, o);
    };
    ops["avg_pool_3x3"] = [](int64_t c, int64_t stride,
                             const Options& o) -> Operation {
      return std::make_shared<PoolImpl>(PoolKind::kAverage, c, stride, o);
    };
    ops["skip_connect"] = [](int64_t c, int64_t stride,
                             const Options& o) -> Operation {
      if (stride == 1) return std::make_shared<IdentityImpl>();
      return std::make_shared<FactorizedReduceImpl>(c, c, o);
    };
    for (int64_t kernel : {3, 5}) {
      const std::string size = std::to_string(kernel) + "x" +
                                std::to_string(kernel);
      ops["sep_conv_" + size] = [kernel](int64_t c, int64_t stride,
                                         const Options& o) -> Operation {
        return std::make_shared<SepConvImpl>(c, kernel, stride, o);
      };
      ops["dil_conv_" + size] = [kernel](int64_t c, int64_t stride,
                                         const Options& o) -> Operation {
        return std::make_shared<DilConvImpl>(c, kernel, stride, o);
      };
    }
    return registry;
  }();
  return *registry;
}

}  // namespace

void RegisterOperation(const std::string& name, OperationFactory factory) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.factories[name] = std::move(factory);
}

bool IsRegisteredOperation(const std::string& name) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  return registry.factories.count(name) > 0;
}

std::vector<std::string> RegisteredOperationNames() {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  std::vector<std::string> names;
  for (const auto& entry : registry.factories) names.push_back(entry.first);
  return names;
}

Operation MakeOperation(const std::string& name, int64_t channels,
                        int64_t stride, const OperationOptions& options) {
  OperationFactory factory;
  {
    Registry& registry = GetRegistry();
    std::lock_guard<std::mutex> lock(registry.mutex);
    const auto it = registry.factories.find(name);
    TORCH_CHECK(it != registry.factories.end(), "unknown operation '", name,
                "'");
    factory = it->second;
  }
  return factory(channels, stride, options);
}

ReLUConvBNImpl::ReLUConvBNImpl(int64_t in_channels, int64_t out_channels,
                               int64_t stride, const OperationOptions& options)
    : kernels_(options.kernels()),
      stride_(stride),
      conv_(register_module("conv",
                            Conv(in_channels, out_channels, 1, stride))),
      bn_(register_module("bn", BatchNorm(out_channels, options.affine()))) {}

torch::Tensor ReLUConvBNImpl::forward(const torch::Tensor& input) {
  torch::Tensor output = ReluConv1x1BatchNorm(
      input, conv_->weight, stride_, BatchNormArgsOf(*bn_), kernels_);
  CountMacs(output.numel());
  return output;
}

std::optional<FusedOperation> ReLUConvBNImpl::fused() {
  ConvBatchNormUnit unit;
  unit.front.stride = stride_;
  unit.pointwise_weights = {conv_->weight};
  unit.bn = BatchNormArgsOf(*bn_);
  FusedOperation op;
  op.convs = {unit};
  return op;
}

void ReLUConvBNImpl::CountMacs(int64_t output_elements) const {
  conv_->CountMacs(output_elements);
}

// DARTS's ReLUConvBN: op = ReLU, conv, BN.
std::string ReLUConvBNImpl::ReferenceName(const std::string& name) const {
  return RenamePrefix(name, {{"conv.", "op.1."}, {"bn.", "op.2."}});
}

FactorizedReduceImpl::FactorizedReduceImpl(int64_t in_channels,
                                           int64_t out_channels,
                                           const OperationOptions& options)
    : kernels_(options.kernels()),
      conv1_(register_module("conv1",
                             Conv(in_channels, out_channels / 2, 1, 2))),
      conv2_(register_module("conv2",
                             Conv(in_channels, out_channels / 2, 1, 2))),
      bn_(register_module("bn", BatchNorm(out_channels, options.affine()))) {
  TORCH_CHECK(out_channels % 2 == 0,
              "FactorizedReduce needs an even channel count, got ",
              out_channels);
}

torch::Tensor FactorizedReduceImpl::forward(const torch::Tensor& input) {
  torch::Tensor output =
      FactorizedReduceBatchNorm(input, conv1_->weight, conv2_->weight,
                                BatchNormArgsOf(*bn_), kernels_);
  CountMacs(output.numel());
  return output;
}

std::optional<FusedOperation> FactorizedReduceImpl::fused() {
  ConvBatchNormUnit unit;
  unit.front.stride = 2;
  unit.pointwise_weights = {conv1_->weight, conv2_->weight};
  unit.bn = BatchNormArgsOf(*bn_);
  FusedOperation op;
  op.convs = {unit};
  return op;
}

void FactorizedReduceImpl::CountMacs(int64_t output_elements) const {
  conv1_->CountMacs(output_elements / 2);
  conv2_->CountMacs(output_elements / 2);
}

// DARTS's FactorizedReduce: relu, conv_1, conv_2, bn.
std::string FactorizedReduceImpl::ReferenceName(const std::string& name) const {
  return RenamePrefix(name, {{"conv1.", "conv_1."}, {"conv2.", "conv_2."}});
}

Operation OlderInputPreprocessing(int64_t in_channels, int64_t channels, bool reduction_prev,
                                  const OperationOptions& options) {
  if (reduction_prev) return FactorizedReduce(in_channels, channels, options).ptr();
  return ReLUConvBN(in_channels, channels, 1, options).ptr();
}

}  // namespace mdenas
