#include "mdenas/kernels/batch_norm_args.h"

#include <torch/nn/modules/batchnorm.h>

namespace mdenas {

BatchNormArgs BatchNormArgsOf(torch::nn::BatchNorm2dImpl& bn) {
  TORCH_CHECK(bn.options.track_running_stats() && bn.options.momentum().has_value(),
              "the cell kernels take BatchNorms with running statistics and a momentum");
  BatchNormArgs args;
  args.weight = bn.weight;
  args.bias = bn.bias;
  args.running_mean = bn.running_mean;
  args.running_var = bn.running_var;
  args.num_batches_tracked = bn.num_batches_tracked;
  args.momentum = *bn.options.momentum();
  args.eps = bn.options.eps();
  args.training = bn.is_training();
  return args;
}

}  // namespace mdenas
