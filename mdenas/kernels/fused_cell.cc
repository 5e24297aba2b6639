#include "mdenas/kernels/fused_cell.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>

#include "mdenas/kernels/conv_bn_passes.h"
#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/kernels/pixel_matrix.h"
#include "mdenas/kernels/pool_bn_passes.h"

namespace mdenas {
namespace {

using torch::autograd::variable_list;

// The units of `spec` in a fixed order (the inputs' preprocessing, then
// each edge's conv units and pooling unit): the order of the node's
// parameter inputs and of their gradients.
template <typename OnConv, typename OnPool>
void ForEachUnit(const FusedCellSpec& spec, OnConv&& on_conv, OnPool&& on_pool) {
  for (const ConvBatchNormUnit& unit : spec.inputs) on_conv(unit);
  for (const FusedCellEdge& edge : spec.edges) {
    for (const ConvBatchNormUnit& unit : edge.operation.convs) on_conv(unit);
    if (edge.operation.pool) on_pool(*edge.operation.pool);
  }
}

void AppendIfDefined(const at::Tensor& t, variable_list* out) {
  if (t.defined()) out->push_back(t);
}

// The inputs the gradients flow to: the cell's inputs, then every unit's
// parameters; how many of them each unit has, in ForEachUnit's order.
variable_list Inputs(const std::vector<at::Tensor>& cell_inputs, const FusedCellSpec& spec,
                     std::vector<int>* parameter_counts) {
  variable_list inputs = cell_inputs;
  auto count = [&](size_t before) {
    parameter_counts->push_back(static_cast<int>(inputs.size() - before));
  };
  ForEachUnit(
      spec,
      [&](const ConvBatchNormUnit& unit) {
        const size_t before = inputs.size();
        AppendIfDefined(unit.depthwise_weight, &inputs);
        for (const at::Tensor& w : unit.pointwise_weights) inputs.push_back(w);
        AppendIfDefined(unit.bn.weight, &inputs);
        AppendIfDefined(unit.bn.bias, &inputs);
        count(before);
      },
      [&](const PoolBatchNormUnit& unit) {
        const size_t before = inputs.size();
        if (unit.bn) {
          AppendIfDefined(unit.bn->weight, &inputs);
          AppendIfDefined(unit.bn->bias, &inputs);
        }
        count(before);
      });
  return inputs;
}

struct EdgeSaved {
  std::vector<ConvBatchNormSaved> convs;
  PoolBatchNormSaved pool;
};

// What the backward pass needs: the spec and each unit's saved state.
struct CellState {
  FusedCellSpec spec;
  std::vector<ConvBatchNormSaved> inputs;
  std::vector<EdgeSaved> edges;
  // Per unit in ForEachUnit's order, its parameter inputs.
  std::vector<int> parameter_counts;
};

// One term of a node's sum: an edge's output, and the BatchNorm it left
// to the sum (all undefined where it left none).
struct Term {
  PixelMatrix values;
  DeferredBatchNorm bn;
};

// out = the sum of the terms, their BatchNorms applied.
void SumTerms(const std::vector<Term>& terms, const PixelMatrix& out) {
  for (const Term& t : terms) {
    TORCH_CHECK(t.values.tensor.sizes() == out.tensor.sizes(), "a fused cell's edge gives ",
                t.values.tensor.sizes(), " for a node of ", out.tensor.sizes());
  }
  AT_DISPATCH_FLOATING_TYPES(out.tensor.scalar_type(), "FusedCellSum", [&] {
    auto data = [](const at::Tensor& t) { return t.defined() ? t.data_ptr<scalar_t>() : nullptr; };
    std::vector<const scalar_t*> inputs, centers, scales;
    std::vector<int64_t> lds;
    std::vector<scalar_t> bias(out.channels(), scalar_t(0));
    bool biased = false;
    for (const Term& t : terms) {
      inputs.push_back(t.values.data<scalar_t>());
      lds.push_back(t.values.ld);
      centers.push_back(data(t.bn.center));
      scales.push_back(data(t.bn.scale));
      if (!t.bn.bias.defined()) continue;
      biased = true;
      const scalar_t* b = data(t.bn.bias);
      for (int64_t c = 0; c < out.channels(); ++c) bias[c] += b[c];
    }
    CpuKernels<scalar_t>().sum_matrices(out.rows(), out.channels(), inputs.data(), lds.data(),
                                        centers.data(), scales.data(),
                                        biased ? bias.data() : nullptr,
                                        static_cast<int>(terms.size()), out.data<scalar_t>(),
                                        out.ld);
  });
}

PixelMatrix EmptyLike(const PixelMatrix& like) {
  return EmptyPixelMatrix(like.batch(), like.channels(), like.height(), like.width(),
                          like.tensor.options());
}

// The forward pass of one edge: its output as a term of its node's sum.
Term EdgeForward(const PixelMatrix& input, const FusedOperation& op, EdgeSaved* saved) {
  if (op.pool) {
    PoolBatchNormForwardResult r = PoolBatchNormForward(input, *op.pool, BatchNormOutput::kDeferred);
    saved->pool = std::move(r.saved);
    return {r.output, r.deferred};
  }
  Term term = {input, DeferredBatchNorm()};
  for (size_t k = 0; k < op.convs.size(); ++k) {
    // The last unit's BatchNorm goes to the node sum; an earlier one's
    // output is the next unit's input.
    const BatchNormOutput output =
        k + 1 == op.convs.size() ? BatchNormOutput::kDeferred : BatchNormOutput::kApplied;
    ConvBatchNormForwardResult r = ConvBatchNormForward(term.values, op.convs[k], output);
    saved->convs.push_back(std::move(r.saved));
    term = {r.output, r.deferred};
  }
  return term;
}

// A state's gradient while the backward pass adds to it: undefined, or
// another state's gradient (or the output gradient's slice) that it must
// not write to, or memory of its own.
struct StateGradient {
  PixelMatrix value;
  bool owned = false;

  // Where the next contribution goes, for a state shaped like `like`.
  GradientTarget NextTarget(const PixelMatrix& like) {
    if (owned) return {value, value};
    GradientTarget target = {EmptyLike(like), value};
    value = target.into;
    owned = true;
    return target;
  }

  // Adds `gradient` itself (the identity's contribution).
  void Add(const PixelMatrix& gradient) {
    if (!value.tensor.defined()) {
      value = gradient;
      return;
    }
    const GradientTarget target = NextTarget(gradient);
    AT_DISPATCH_FLOATING_TYPES(gradient.tensor.scalar_type(), "FusedCellAddGradient", [&] {
      const scalar_t* inputs[] = {target.base.data<scalar_t>(), gradient.data<scalar_t>()};
      const int64_t lds[] = {target.base.ld, gradient.ld};
      CpuKernels<scalar_t>().sum_matrices(gradient.rows(), gradient.channels(), inputs, lds,
                                          /*centers=*/nullptr, /*scales=*/nullptr,
                                          /*shift=*/nullptr, 2,
                                          target.into.data<scalar_t>(), target.into.ld);
    });
  }
};

variable_list ConvGradients(const ConvBatchNormGradients& g) {
  variable_list out;
  AppendIfDefined(g.depthwise_weight, &out);
  for (const at::Tensor& w : g.pointwise_weights) out.push_back(w);
  AppendIfDefined(g.bn_weight, &out);
  AppendIfDefined(g.bn_bias, &out);
  return out;
}

// The backward pass of one edge: adds its input's gradient to `input`'s and
// sets its units' parameter gradients, unit_grads[0] for its first unit on.
void EdgeBackward(const FusedOperation& op, const EdgeSaved& saved, const PixelMatrix& grad_output,
                  StateGradient* input, variable_list* unit_grads) {
  if (op.pool) {
    const PoolBatchNormGradients g = PoolBatchNormBackward(
        *op.pool, saved.pool, grad_output, input->NextTarget(saved.pool.input));
    AppendIfDefined(g.bn_weight, unit_grads);
    AppendIfDefined(g.bn_bias, unit_grads);
    return;
  }
  if (op.convs.empty()) {
    input->Add(grad_output);
    return;
  }
  PixelMatrix dy = grad_output;
  // The sums of dy against unit k's saved BatchNorm values, where unit k + 1
  // gave them (ChainedSums): when unit k's BatchNorm gradient reads its
  // output, unit k + 1's input.
  GradientSums given, next;
  bool known = false;
  for (size_t k = op.convs.size(); k-- > 0;) {
    const PixelMatrix& x = saved.convs[k].input;
    const GradientTarget target =
        k == 0 ? input->NextTarget(x) : GradientTarget{EmptyLike(x), PixelMatrix()};
    const bool chain = k > 0 && saved.convs[k - 1].bn.reads_output;
    const ChainedSums sums = {known ? &given : nullptr, chain ? &next : nullptr};
    unit_grads[k] =
        ConvGradients(ConvBatchNormBackward(op.convs[k], saved.convs[k], dy, target, sums));
    dy = target.into;
    std::swap(given, next);
    known = chain;
  }
}

class FusedCellBackward : public torch::autograd::Node {
 public:
  explicit FusedCellBackward(std::unique_ptr<CellState> state) : state_(std::move(state)) {}

  std::string name() const override { return "FusedCellBackward"; }

  void release_variables() override { state_.reset(); }

  variable_list apply(variable_list&& grads) override {
    TORCH_CHECK(state_ != nullptr,
                "backward through a fused search cell a second time: its saved results are "
                "freed after the first (retain_graph is not supported)");
    const FusedCellSpec& spec = state_->spec;
    variable_list result(num_outputs());
    if (!grads[0].defined()) return result;
    const PixelMatrix grad_out = AsPixelMatrix(grads[0]);

    const int first_node = static_cast<int>(spec.inputs.size());
    const int end = first_node + spec.nodes;
    std::vector<StateGradient> states(end);
    for (int node = first_node; node < end; ++node) {
      states[node].value =
          ChannelSlice(grad_out, (node - first_node) * spec.channels, spec.channels);
    }
    // Per unit in ForEachUnit's order: the inputs' preprocessing, then the
    // edges' units.
    std::vector<variable_list> unit_grads(state_->parameter_counts.size());
    std::vector<size_t> first_unit(spec.edges.size());
    for (size_t e = 0, unit = spec.inputs.size(); e < spec.edges.size(); ++e) {
      first_unit[e] = unit;
      unit += spec.edges[e].operation.convs.size() + (spec.edges[e].operation.pool ? 1 : 0);
    }
    // Every edge out of a node feeds a later node, so going through the
    // nodes from the last, a node's gradient is complete when its own edges
    // are reached.
    for (int node = end - 1; node >= first_node; --node) {
      for (size_t e = spec.edges.size(); e-- > 0;) {
        const FusedCellEdge& edge = spec.edges[e];
        if (edge.node != node) continue;
        EdgeBackward(edge.operation, state_->edges[e], states[node].value, &states[edge.input],
                     &unit_grads[first_unit[e]]);
      }
    }
    // A preprocessing unit whose state no edge read gets no gradients.
    for (int i = 0; i < first_node; ++i) {
      if (!states[i].value.tensor.defined()) continue;
      const ConvBatchNormSaved& saved = state_->inputs[i];
      const GradientTarget target = {EmptyLike(saved.input), PixelMatrix()};
      unit_grads[i] = ConvGradients(
          ConvBatchNormBackward(spec.inputs[i], saved, states[i].value, target));
      result[i] = target.into.tensor;
    }
    size_t next = first_node;
    for (size_t unit = 0; unit < unit_grads.size(); ++unit) {
      const variable_list& g = unit_grads[unit];
      const int count = state_->parameter_counts[unit];
      TORCH_INTERNAL_ASSERT(g.empty() || static_cast<int>(g.size()) == count);
      for (size_t i = 0; i < g.size(); ++i) result[next + i] = g[i];
      next += count;
    }
    TORCH_INTERNAL_ASSERT(next == result.size());
    return result;
  }

 private:
  std::unique_ptr<CellState> state_;
};

}  // namespace

at::Tensor FusedCell(const std::vector<at::Tensor>& inputs, const FusedCellSpec& spec) {
  const int first_node = static_cast<int>(spec.inputs.size());
  const int end = first_node + spec.nodes;
  TORCH_CHECK(first_node >= 1 && spec.nodes >= 1 && spec.channels >= 1, "a fused cell of ",
              first_node, " inputs and ", spec.nodes, " nodes of ", spec.channels, " channels");
  TORCH_CHECK(inputs.size() == spec.inputs.size(), "a fused cell of ", first_node,
              " inputs given ", inputs.size());
  for (const FusedCellEdge& edge : spec.edges) {
    TORCH_CHECK(edge.input >= 0 && edge.input < edge.node && edge.node >= first_node &&
                    edge.node < end,
                "a fused cell's edge from state ", edge.input, " to state ", edge.node,
                " in a cell of ", first_node, " inputs and ", spec.nodes, " nodes");
    TORCH_CHECK(!(edge.operation.pool && !edge.operation.convs.empty()),
                "an edge's operation is conv units or a pooling unit, not both");
  }
  auto state = std::make_unique<CellState>();
  const variable_list gradient_inputs = Inputs(inputs, spec, &state->parameter_counts);
  state->spec = spec;
  state->edges.resize(spec.edges.size());
  at::Tensor output;
  {
    c10::NoGradGuard no_grad;
    std::vector<PixelMatrix> states;
    for (int i = 0; i < first_node; ++i) {
      ConvBatchNormForwardResult r =
          ConvBatchNormForward(AsPixelMatrix(inputs[i]), spec.inputs[i], BatchNormOutput::kApplied);
      state->inputs.push_back(std::move(r.saved));
      states.push_back(r.output);
    }
    const PixelMatrix& like = states.back();
    const PixelMatrix out = EmptyPixelMatrix(
        like.batch(), spec.nodes * spec.channels, GatheredSize(like.height(), spec.input_stride, 0),
        GatheredSize(like.width(), spec.input_stride, 0), like.tensor.options());
    for (int node = first_node; node < end; ++node) {
      std::vector<Term> terms;
      for (size_t e = 0; e < spec.edges.size(); ++e) {
        const FusedCellEdge& edge = spec.edges[e];
        if (edge.node != node) continue;
        terms.push_back(EdgeForward(states[edge.input], edge.operation, &state->edges[e]));
      }
      const PixelMatrix sum = ChannelSlice(out, (node - first_node) * spec.channels, spec.channels);
      if (terms.empty()) {
        sum.tensor.zero_();
      } else {
        SumTerms(terms, sum);
      }
      states.push_back(sum);
    }
    output = out.tensor;
  }
  if (torch::autograd::compute_requires_grad(gradient_inputs)) {
    std::shared_ptr<FusedCellBackward> node(new FusedCellBackward(std::move(state)),
                                            torch::autograd::deleteNode);
    node->set_next_edges(torch::autograd::collect_next_edges(gradient_inputs));
    torch::autograd::set_history(output, node);
  }
  return output;
}

}  // namespace mdenas
