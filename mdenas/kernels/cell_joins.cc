#include "mdenas/kernels/cell_joins.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/kernels/pixel_matrix.h"

namespace mdenas {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// output[:, first_channel + j] = sum over i of inputs[i][:, j].
void Sum(const std::vector<PixelMatrix>& inputs, const PixelMatrix& output,
         int64_t first_channel) {
  std::vector<int64_t> lds;
  for (const PixelMatrix& m : inputs) lds.push_back(m.ld);
  AT_DISPATCH_FLOATING_TYPES(output.tensor.scalar_type(), "SumMatrices", [&] {
    std::vector<const scalar_t*> data;
    for (const PixelMatrix& m : inputs) data.push_back(m.data<scalar_t>());
    CpuKernels<scalar_t>().sum_matrices(output.rows(), inputs[0].channels(), data.data(),
                                        lds.data(), /*centers=*/nullptr, /*scales=*/nullptr,
                                        /*shift=*/nullptr,
                                        static_cast<int>(data.size()),
                                        output.data<scalar_t>() + first_channel, output.ld);
  });
}

class FastSum : public torch::autograd::Function<FastSum> {
 public:
  // Into `into`'s channels from `first_channel` on, or new memory if
  // `into` is empty.
  static at::Tensor forward(AutogradContext* ctx, at::TensorList terms, const PixelMatrix& into,
                            int64_t first_channel) {
    std::vector<PixelMatrix> inputs;
    for (const at::Tensor& t : terms) {
      TORCH_CHECK(t.sizes() == terms[0].sizes(), "summing ", t.sizes(), " and ",
                  terms[0].sizes());
      inputs.push_back(AsPixelMatrix(t));
    }
    const PixelMatrix& first = inputs[0];
    ctx->saved_data["terms"] = static_cast<int64_t>(terms.size());
    if (!into.tensor.defined()) {
      const PixelMatrix output = EmptyPixelMatrix(first.batch(), first.channels(), first.height(),
                                                  first.width(), terms[0].options());
      Sum(inputs, output, 0);
      return output.tensor;
    }
    TORCH_CHECK(into.batch() == first.batch() && into.height() == first.height() &&
                    into.width() == first.width() &&
                    first_channel + first.channels() <= into.channels(),
                "summing ", terms[0].sizes(), " into channels from ", first_channel, " of ",
                into.tensor.sizes());
    Sum(inputs, into, first_channel);
    return ChannelSlice(into, first_channel, first.channels()).tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    variable_list result(ctx->saved_data["terms"].toInt(), grads[0]);
    result.insert(result.end(), {at::Tensor(), at::Tensor()});
    return result;
  }
};

// Whether `parts` lie side by side in one tensor's memory, in order, as
// FastSum writes a cell's nodes: then that memory is their concatenation.
bool AdjacentChannelSlices(at::TensorList parts, int64_t channels) {
  const at::Tensor& first = parts[0];
  const int64_t h = first.size(2), w = first.size(3);
  const std::vector<int64_t> strides = {h * w * channels, 1, w * channels, channels};
  const char* next = static_cast<const char*>(first.data_ptr());
  for (const at::Tensor& p : parts) {
    if (p.strides() != at::IntArrayRef(strides) || !p.is_alias_of(first) ||
        p.data_ptr() != next) {
      return false;
    }
    next += p.size(1) * p.element_size();
  }
  return true;
}

class FastConcat : public torch::autograd::Function<FastConcat> {
 public:
  static at::Tensor forward(AutogradContext* ctx, at::TensorList parts) {
    int64_t channels = 0;
    std::vector<int64_t> sizes;
    for (const at::Tensor& p : parts) {
      TORCH_CHECK(p.dim() == 4 && p.size(0) == parts[0].size(0) &&
                      p.size(2) == parts[0].size(2) && p.size(3) == parts[0].size(3),
                  "concatenating ", p.sizes(), " and ", parts[0].sizes());
      channels += p.size(1);
      sizes.push_back(p.size(1));
    }
    ctx->saved_data["sizes"] = sizes;
    if (AdjacentChannelSlices(parts, channels)) {
      return ChannelSlice(AsPixelMatrix(parts[0]), 0, channels).tensor;
    }
    const at::Tensor& first = parts[0];
    const PixelMatrix output = EmptyPixelMatrix(first.size(0), channels, first.size(2),
                                                first.size(3), first.options());
    for (size_t i = 0, offset = 0; i < parts.size(); offset += sizes[i], ++i) {
      Sum({AsPixelMatrix(parts[i])}, output, offset);
    }
    return output.tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    variable_list parts;
    int64_t offset = 0;
    for (int64_t size : ctx->saved_data["sizes"].toIntVector()) {
      parts.push_back(grads[0].narrow(1, offset, size));
      offset += size;
    }
    return parts;
  }
};

}  // namespace

at::Tensor SumOf(const std::vector<at::Tensor>& terms, Kernels kernels) {
  return SumInto(terms, at::Tensor(), 0, kernels);
}

at::Tensor CellOutputBuffer(const at::Tensor& node, int64_t nodes, Kernels kernels) {
  if (!RunsCpuKernels(kernels, node)) return at::Tensor();
  return EmptyPixelMatrix(node.size(0), nodes * node.size(1), node.size(2), node.size(3),
                          node.options())
      .tensor;
}

at::Tensor SumInto(const std::vector<at::Tensor>& terms, const at::Tensor& buffer,
                   int64_t node, Kernels kernels) {
  TORCH_CHECK(!terms.empty(), "a sum of nothing");
  if (RunsCpuKernels(kernels, terms[0])) {
    TORCH_CHECK(!buffer.defined() || buffer.is_contiguous(at::MemoryFormat::ChannelsLast),
                "a cell's output buffer in channels-last layout, got strides ",
                buffer.strides());
    const PixelMatrix into = buffer.defined() ? AsPixelMatrix(buffer) : PixelMatrix();
    return FastSum::apply(at::TensorList(terms), into, node * terms[0].size(1));
  }
  at::Tensor sum = terms[0];
  for (size_t i = 1; i < terms.size(); ++i) sum = sum + terms[i];
  return sum;
}

at::Tensor ConcatChannels(const std::vector<at::Tensor>& parts, Kernels kernels) {
  if (RunsCpuKernels(kernels, parts.at(0))) return FastConcat::apply(at::TensorList(parts));
  return at::cat(parts, 1);
}

}  // namespace mdenas
