// The candidate operations of the cell search space (MDENAS_SPEC.md §1.2),
// as modules in a registry keyed by name: a new operation is one call to
// RegisterOperation. Definitions follow DARTS (cnn/operations.py); every
// convolution is bias-free.
//
//   none           x * 0 (strided at stride 2)
//   max_pool_3x3   3x3 max pooling, padding 1
//   avg_pool_3x3   3x3 average pooling, padding 1, padding not counted
//   skip_connect   identity; FactorizedReduce at stride 2
//   sep_conv_kxk   (ReLU, depthwise kxk, pointwise 1x1, BN) twice; the first
//                  depthwise carries the stride
//   dil_conv_kxk   ReLU, depthwise kxk with dilation 2, pointwise 1x1, BN

#ifndef MDENAS_SPACE_DARTS_OPERATIONS_H_
#define MDENAS_SPACE_DARTS_OPERATIONS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/pimpl.h>

#include "mdenas/kernels/fused_units.h"
#include "mdenas/kernels/kernels.h"
#include "mdenas/nn/layers.h"

namespace mdenas {

struct OperationOptions {
  // Learnable scale and shift in the BatchNorms. The search network turns it
  // off (DARTS); evaluation networks keep it. Default: true.
  TORCH_ARG(bool, affine) = true;
  // BatchNorm after the pooling operations: always in the search network
  // (DARTS), in evaluation networks only under the pt.darts convention that
  // the MdeNAS repository follows. Default: false.
  TORCH_ARG(bool, pool_bn) = false;
  // The kernels the operations run on (mdenas/kernels): each operation is
  // one fused kernel call, ATen's operators one by one or the fast
  // channels-last ones. Parameters and results are the same either way.
  // Default: fast.
  TORCH_ARG(Kernels, kernels) = Kernels::kFast;
};

// A cell operation: one input, one output of the same channel count, at the
// stride it was built with.
class OperationImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& input) = 0;
  // Identity operations are exempt from drop-path.
  virtual bool is_identity() const { return false; }
  // The output is all zeros; a cell may skip computing it.
  virtual bool is_zero() const { return false; }
  // This operation as the fast kernels fuse it into a search cell
  // (kernels/fused_units.h)
  // on this module's tensors, its BatchNorms in the module's mode; nullopt
  // where it has no such form (a cell then runs forward()).
  virtual std::optional<FusedOperation> fused() { return std::nullopt; }
  // Counts the multiply-accumulates of an output of `output_elements`
  // (MacCounter), as forward() does: for a cell that computed it fused.
  virtual void CountMacs(int64_t /*output_elements*/) const {}
  // The name DARTS's cnn/operations.py gives this operation's parameter or
  // buffer `name` ("op.1.weight" for a ReLUConvBN's "conv.weight"). The
  // default keeps `name`: the BatchNorm after pooling, which DARTS lacks,
  // stays "bn.*" as in pt.darts's PoolBN.
  virtual std::string ReferenceName(const std::string& name) const { return name; }
};
using Operation = std::shared_ptr<OperationImpl>;

using OperationFactory = std::function<Operation(
    int64_t channels, int64_t stride, const OperationOptions& options)>;

// Adds an operation under `name`, replacing any of that name.
void RegisterOperation(const std::string& name, OperationFactory factory);

bool IsRegisteredOperation(const std::string& name);

// Names of all registered operations, sorted.
std::vector<std::string> RegisteredOperationNames();

// Builds the operation `name`, which must be registered.
Operation MakeOperation(const std::string& name, int64_t channels,
                        int64_t stride, const OperationOptions& options);

// ReLU, 1x1 convolution, BatchNorm: the cells' input preprocessing.
// options.affine() and options.kernels() apply.
class ReLUConvBNImpl : public OperationImpl {
 public:
  ReLUConvBNImpl(int64_t in_channels, int64_t out_channels, int64_t stride,
                 const OperationOptions& options);
  torch::Tensor forward(const torch::Tensor& input) override;
  std::optional<FusedOperation> fused() override;
  void CountMacs(int64_t output_elements) const override;
  std::string ReferenceName(const std::string& name) const override;

 private:
  Kernels kernels_;
  int64_t stride_;
  CountedConv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(ReLUConvBN);

// Halves the spatial size: ReLU, then two 1x1 stride-2 convolutions of
// out_channels/2 each (the second shifted by one pixel), concatenated, BN.
// options.affine() and options.kernels() apply.
class FactorizedReduceImpl : public OperationImpl {
 public:
  FactorizedReduceImpl(int64_t in_channels, int64_t out_channels,
                       const OperationOptions& options);
  torch::Tensor forward(const torch::Tensor& input) override;
  std::optional<FusedOperation> fused() override;
  void CountMacs(int64_t output_elements) const override;
  std::string ReferenceName(const std::string& name) const override;

 private:
  Kernels kernels_;
  CountedConv2d conv1_{nullptr};
  CountedConv2d conv2_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(FactorizedReduce);

// The preprocessing of a cell's older input, c_{k-2}, to `channels`: a
// FactorizedReduce where the cell before is a reduction cell (c_{k-2} then
// has twice the resolution of c_{k-1}), else a ReLUConvBN.
Operation OlderInputPreprocessing(int64_t in_channels, int64_t channels, bool reduction_prev,
                                  const OperationOptions& options);

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_OPERATIONS_H_
