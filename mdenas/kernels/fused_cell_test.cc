#include "mdenas/kernels/fused_cell.h"

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mdenas/kernels/cell_joins.h"
#include "mdenas/kernels/conv_bn.h"
#include "mdenas/kernels/kernel_test_util.h"
#include "mdenas/kernels/pool_bn.h"

namespace mdenas {
namespace {

// What an edge of a test cell computes.
enum class Op { kIdentity, kMaxPool, kAvgPool, kSepConv, kDilConv, kReduce };

struct EdgeRecipe {
  int input;
  int node;
  Op op;
  int64_t kernel;  // Of kSepConv and kDilConv.
};

// A cell: its inputs' channels, its edges in the order of their nodes, and
// sizes. Its states are its inputs, then its nodes. The tensors its units
// take (weights and, when affine, BatchNorm parameters) are the inputs
// after the cell's own of the functions below, in RandomInputs' order.
struct CellRecipe {
  int64_t batch = 2, channels = 4, size = 6;
  // DARTS's two inputs: c_{k-2} and c_{k-1}.
  std::vector<int64_t> input_channels = {3, 5};
  int nodes = 3;
  // Whether input 0 has twice the size (a factorized reduce preprocesses it).
  bool reduction_prev = false;
  bool reduction = false, affine = false, training = true;
  std::vector<EdgeRecipe> edges;

  int inputs() const { return static_cast<int>(input_channels.size()); }
  int64_t Stride(const EdgeRecipe& e) const { return reduction && e.input < inputs() ? 2 : 1; }
};

// The conv units of a cell in order, as the shapes of their weights.
struct UnitRecipe {
  FrontEnd front;
  std::vector<std::vector<int64_t>> weights;  // Depthwise first, if any.
};

UnitRecipe Preprocess(const CellRecipe& cell, int index) {
  const int64_t c_in = cell.input_channels[index];
  UnitRecipe unit;
  if (index == 0 && cell.reduction_prev) {
    unit.front.stride = 2;
    unit.weights = {{cell.channels / 2, c_in, 1, 1}, {cell.channels / 2, c_in, 1, 1}};
  } else {
    unit.weights = {{cell.channels, c_in, 1, 1}};
  }
  return unit;
}

std::vector<UnitRecipe> EdgeUnits(const CellRecipe& cell, const EdgeRecipe& e) {
  const int64_t c = cell.channels, k = e.kernel;
  auto depthwise = [&](int64_t stride, int64_t dilation) {
    UnitRecipe unit;
    unit.front.depthwise = true;
    unit.front.kernel = k;
    unit.front.stride = stride;
    unit.front.padding = dilation == 1 ? k / 2 : k - 1;
    unit.front.dilation = dilation;
    unit.weights = {{c, 1, k, k}, {c, c, 1, 1}};
    return unit;
  };
  switch (e.op) {
    case Op::kSepConv:
      return {depthwise(cell.Stride(e), 1), depthwise(1, 1)};
    case Op::kDilConv:
      return {depthwise(cell.Stride(e), 2)};
    case Op::kReduce: {
      UnitRecipe unit;
      unit.front.stride = 2;
      unit.weights = {{c / 2, c, 1, 1}, {c / 2, c, 1, 1}};
      return {unit};
    }
    default:
      return {};
  }
}

bool IsPool(Op op) { return op == Op::kMaxPool || op == Op::kAvgPool; }

// Every unit's BatchNorm, in the order of the units: the inputs'
// preprocessing, then each edge's conv units or pooling unit.
std::vector<BatchNormArgs> RandomBatchNorms(const CellRecipe& cell) {
  std::vector<BatchNormArgs> bns;
  for (int i = 0; i < cell.inputs(); ++i) {
    bns.push_back(RandomBatchNorm(cell.channels, cell.training, torch::kFloat));
  }
  for (const EdgeRecipe& e : cell.edges) {
    const size_t units = IsPool(e.op) ? 1 : EdgeUnits(cell, e).size();
    for (size_t u = 0; u < units; ++u) {
      bns.push_back(RandomBatchNorm(cell.channels, cell.training, torch::kFloat));
    }
  }
  return bns;
}

std::vector<BatchNormArgs> CopiesOf(const std::vector<BatchNormArgs>& bns) {
  std::vector<BatchNormArgs> copies;
  for (const BatchNormArgs& bn : bns) copies.push_back(CopyOf(bn));
  return copies;
}

// The cell's inputs, then per unit its weights and (affine) the
// BatchNorm's scale and shift, random.
std::vector<at::Tensor> RandomInputs(const CellRecipe& cell, at::ScalarType dtype) {
  const auto options = torch::TensorOptions().dtype(dtype);
  std::vector<at::Tensor> inputs;
  for (int i = 0; i < cell.inputs(); ++i) {
    const int64_t size = i == 0 && cell.reduction_prev ? 2 * cell.size : cell.size;
    inputs.push_back(torch::randn({cell.batch, cell.input_channels[i], size, size}, options));
  }
  auto add_unit = [&](const std::vector<std::vector<int64_t>>& weights) {
    for (const auto& shape : weights) inputs.push_back(torch::randn(shape, options) * 0.5);
    if (cell.affine) {
      inputs.push_back(torch::rand({cell.channels}, options) + 0.5);
      inputs.push_back(torch::randn({cell.channels}, options));
    }
  };
  for (int i = 0; i < cell.inputs(); ++i) add_unit(Preprocess(cell, i).weights);
  for (const EdgeRecipe& e : cell.edges) {
    if (IsPool(e.op)) add_unit({});
    for (const UnitRecipe& u : EdgeUnits(cell, e)) add_unit(u.weights);
  }
  return inputs;
}

// Hands out a cell's tensors and BatchNorms in order.
class Cursor {
 public:
  Cursor(const CellRecipe& cell, const std::vector<at::Tensor>& in,
         const std::vector<BatchNormArgs>& bns)
      : cell_(cell), in_(in), bns_(bns), tensor_(cell.inputs()) {}

  at::Tensor NextTensor() { return in_[tensor_++]; }

  BatchNormArgs NextBatchNorm() {
    BatchNormArgs bn = bns_[bn_++];
    if (cell_.affine) {
      bn.weight = NextTensor();
      bn.bias = NextTensor();
    }
    return bn;
  }

  ConvBatchNormUnit NextConv(const UnitRecipe& recipe) {
    ConvBatchNormUnit unit;
    unit.front = recipe.front;
    for (size_t w = 0; w < recipe.weights.size(); ++w) {
      if (recipe.front.depthwise && w == 0) {
        unit.depthwise_weight = NextTensor();
      } else {
        unit.pointwise_weights.push_back(NextTensor());
      }
    }
    unit.bn = NextBatchNorm();
    return unit;
  }

 private:
  const CellRecipe& cell_;
  const std::vector<at::Tensor>& in_;
  const std::vector<BatchNormArgs>& bns_;
  size_t tensor_;
  size_t bn_ = 0;
};

PoolKind KindOf(Op op) { return op == Op::kMaxPool ? PoolKind::kMax : PoolKind::kAverage; }

// The cell on the fused kernel.
TensorFunction Fused(const CellRecipe& cell, const std::vector<BatchNormArgs>& bns) {
  return [=](const std::vector<at::Tensor>& in) {
    Cursor next(cell, in, bns);
    FusedCellSpec spec;
    for (int i = 0; i < cell.inputs(); ++i) spec.inputs.push_back(next.NextConv(Preprocess(cell, i)));
    spec.nodes = cell.nodes;
    spec.channels = cell.channels;
    spec.input_stride = cell.reduction ? 2 : 1;
    for (const EdgeRecipe& e : cell.edges) {
      FusedCellEdge edge;
      edge.input = e.input;
      edge.node = e.node;
      if (IsPool(e.op)) {
        edge.operation.pool = PoolBatchNormUnit{KindOf(e.op), cell.Stride(e), next.NextBatchNorm()};
      }
      for (const UnitRecipe& u : EdgeUnits(cell, e)) {
        edge.operation.convs.push_back(next.NextConv(u));
      }
      spec.edges.push_back(edge);
    }
    return FusedCell(std::vector<at::Tensor>(in.begin(), in.begin() + cell.inputs()), spec);
  };
}

// The same cell, operation by operation, on `kernels`.
TensorFunction OneByOne(const CellRecipe& cell, const std::vector<BatchNormArgs>& bns,
                        Kernels kernels) {
  return [=](const std::vector<at::Tensor>& in) {
    Cursor next(cell, in, bns);
    auto run = [&](const ConvBatchNormUnit& u, const at::Tensor& x) {
      if (u.front.depthwise) {
        return ReluSepConvBatchNorm(x, u.depthwise_weight,
                                    DepthwiseConv2dOptions()
                                        .stride(u.front.stride)
                                        .padding(u.front.padding)
                                        .dilation(u.front.dilation),
                                    u.pointwise_weights[0], u.bn, kernels);
      }
      if (u.pointwise_weights.size() == 2) {
        return FactorizedReduceBatchNorm(x, u.pointwise_weights[0], u.pointwise_weights[1], u.bn,
                                         kernels);
      }
      return ReluConv1x1BatchNorm(x, u.pointwise_weights[0], u.front.stride, u.bn, kernels);
    };
    std::vector<at::Tensor> states;
    for (int i = 0; i < cell.inputs(); ++i) {
      states.push_back(run(next.NextConv(Preprocess(cell, i)), in[i]));
    }
    const int end = cell.inputs() + cell.nodes;
    std::vector<std::vector<at::Tensor>> terms(end);
    // Edges in the order of their nodes, as a node's inputs must exist.
    for (int node = cell.inputs(); node < end; ++node) {
      for (const EdgeRecipe& e : cell.edges) {
        if (e.node != node) continue;
        at::Tensor x = states[e.input];
        if (IsPool(e.op)) {
          x = Pool3x3BatchNorm(x, KindOf(e.op), cell.Stride(e), next.NextBatchNorm(), kernels);
        }
        for (const UnitRecipe& u : EdgeUnits(cell, e)) x = run(next.NextConv(u), x);
        terms[node].push_back(x);
      }
      const int64_t size = cell.reduction ? (cell.size + 1) / 2 : cell.size;
      states.push_back(terms[node].empty()
                           ? torch::zeros({cell.batch, cell.channels, size, size}, in[0].options())
                           : SumOf(terms[node], kernels));
    }
    return at::cat(std::vector<at::Tensor>(states.begin() + cell.inputs(), states.end()), 1);
  };
}

// Random edges: into every node from random earlier states, of every kind
// (a `none` edge is simply absent, so some nodes get none).
CellRecipe RandomCell(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  CellRecipe cell;
  cell.nodes = pick(1, 4);
  cell.channels = 2 * pick(1, 3);
  // At least three input channels: a BatchNorm after a 1x1 convolution of
  // one or two ReLU'd channels is nearly invariant to its weights, whose
  // gradients are then rounding noise of large terms, ATen's and ours.
  cell.input_channels = {pick(3, 6), pick(3, 6)};
  // BatchNorms over at least 18 values per channel after a reduction: over
  // a few, a channel's spread can be tiny, and its BatchNorm's gradient
  // scales float rounding from before it by the inverse (over 2, the
  // normalised values are +-1 and the gradients mostly cancel).
  cell.size = 2 * pick(3, 4) + (rng() % 2 == 0 ? 1 : 0);
  cell.reduction = rng() % 2 == 0;
  cell.reduction_prev = rng() % 2 == 0;
  cell.affine = rng() % 2 == 0;
  cell.training = rng() % 4 != 0;
  if (cell.reduction && cell.size % 2 == 1) ++cell.size;
  for (int node = cell.inputs(); node < cell.inputs() + cell.nodes; ++node) {
    for (int input = 0; input < node; ++input) {
      const int kind = pick(0, 6);
      if (kind == 6) continue;  // none
      Op op = static_cast<Op>(kind);
      if (op == Op::kReduce && cell.Stride({input, node, op, 1}) == 1) op = Op::kIdentity;
      if (op == Op::kIdentity && cell.Stride({input, node, op, 1}) == 2) op = Op::kReduce;
      cell.edges.push_back({input, node, op, pick(0, 1) == 0 ? 3 : 5});
    }
  }
  return cell;
}

std::string Describe(const CellRecipe& cell) {
  std::string text = absl::StrCat(cell.nodes, " nodes of ", cell.channels, " channels, ",
                                  cell.size, "x", cell.size, cell.reduction ? ", reduction" : "",
                                  cell.reduction_prev ? ", after a reduction" : "",
                                  cell.affine ? ", affine" : "",
                                  cell.training ? "" : ", evaluation", "; edges");
  for (const EdgeRecipe& e : cell.edges) {
    absl::StrAppend(&text, " ", e.input, "->", e.node, ":", static_cast<int>(e.op));
  }
  return text;
}

std::vector<BatchNormArgs> InDouble(const std::vector<BatchNormArgs>& bns) {
  std::vector<BatchNormArgs> copies = CopiesOf(bns);
  for (BatchNormArgs& bn : copies) {
    bn.running_mean = bn.running_mean.to(torch::kDouble);
    bn.running_var = bn.running_var.to(torch::kDouble);
  }
  return copies;
}

// Within four times the larger float error of two references (against
// `truth`), plus a hair: gradients of a cell are sums of large terms that
// cancel, and a fixed relative tolerance would fail float results that are
// as good as float gets. A small gradient keeps the absolute rounding
// noise of the terms it sums (here up to ~5e-5), whichever order sums
// them; either reference alone is at times luckier than that.
testing::AssertionResult AsAccurateAs(const at::Tensor& actual, const at::Tensor& reference,
                                      const at::Tensor& other_reference,
                                      const at::Tensor& truth) {
  if (!actual.defined()) return testing::AssertionFailure() << "undefined";
  if (actual.sizes() != truth.sizes()) {
    return testing::AssertionFailure() << "shape " << actual.sizes() << ", expected "
                                       << truth.sizes();
  }
  auto error = [&](const at::Tensor& t) {
    return (t.to(torch::kDouble) - truth).abs().max().item<double>();
  };
  const double bound = 4 * std::max(error(reference), error(other_reference)) +
                       1e-5 * truth.abs().max().item<double>() + 5e-5;
  if (error(actual) <= bound) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << "max error " << error(actual) << " against ATen in double; the operations one by "
         << "one " << error(reference) << ", ATen in float " << error(other_reference);
}

// `wrap(fn)` runs a cell function `fn`. The fused cell's output and every
// gradient are as accurate as those of the operations run one by one, on
// the fast kernels it replaces and on ATen's, against ATen's in double;
// its running statistics agree with ATen's.
void ExpectAsAccurateAsOneByOne(const CellRecipe& cell, const std::vector<BatchNormArgs>& bns,
                                const std::vector<at::Tensor>& inputs,
                                const std::function<TensorFunction(const TensorFunction&)>& wrap,
                                const std::string& where) {
  std::vector<at::Tensor> in_double;
  for (const at::Tensor& t : inputs) in_double.push_back(t.to(torch::kDouble));
  const std::vector<BatchNormArgs> aten_bns = CopiesOf(bns), fused_bns = CopiesOf(bns);
  const ForwardBackward truth =
      RunWithGradients(wrap(OneByOne(cell, InDouble(bns), Kernels::kAten)), in_double);
  const ForwardBackward aten = RunWithGradients(wrap(OneByOne(cell, aten_bns, Kernels::kAten)), inputs);
  const ForwardBackward fast = RunWithGradients(
      wrap(OneByOne(cell, CopiesOf(bns), Kernels::kFast)), inputs, kFastThreads);
  const ForwardBackward fused =
      RunWithGradients(wrap(Fused(cell, fused_bns)), inputs, kFastThreads);
  EXPECT_TRUE(AsAccurateAs(fused.output, fast.output, aten.output, truth.output))
      << where << ", output";
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!truth.grads[i].defined()) {
      EXPECT_FALSE(fused.grads[i].defined()) << where << ", input " << i;
      continue;
    }
    EXPECT_TRUE(AsAccurateAs(fused.grads[i], fast.grads[i], aten.grads[i], truth.grads[i]))
        << where << ", input " << i;
  }
  for (size_t i = 0; i < bns.size(); ++i) {
    EXPECT_TRUE(RunningStatsNear(fused_bns[i], aten_bns[i])) << where << ", BatchNorm " << i;
  }
}

TensorFunction AsItIs(const TensorFunction& fn) { return fn; }

TEST(FusedCellTest, IsAsAccurateAsTheOperationsRunOneByOneOnRandomCells) {
  torch::manual_seed(0);
  std::mt19937 rng(1);
  int tested = 0;
  while (tested < 24) {
    const CellRecipe cell = RandomCell(rng);
    if (cell.edges.empty()) continue;
    const std::vector<BatchNormArgs> bns = RandomBatchNorms(cell);
    std::vector<at::Tensor> inputs = RandomInputs(cell, torch::kFloat);
    const Layout layout = kAllLayouts[tested % 3];
    for (int i = 0; i < cell.inputs(); ++i) inputs[i] = InLayout(inputs[i], layout);
    ExpectAsAccurateAsOneByOne(cell, bns, inputs, AsItIs,
                           absl::StrCat(Describe(cell), " (", LayoutName(layout), ")"));
    ++tested;
  }
}

// Cells of one input (a NAS-Bench-201-like cell) and of three, on random
// edges, as accurate as their operations run one by one.
TEST(FusedCellTest, CellsOfOneAndOfThreeInputs) {
  torch::manual_seed(7);
  for (const std::vector<int64_t>& channels :
       std::vector<std::vector<int64_t>>{{4}, {3, 5, 4}}) {
    CellRecipe cell;
    cell.input_channels = channels;
    cell.nodes = 2;
    const int n = cell.inputs();
    cell.edges = {{0, n, Op::kSepConv, 3},     {n - 1, n, Op::kAvgPool, 0},
                  {0, n + 1, Op::kIdentity, 0}, {n, n + 1, Op::kDilConv, 3},
                  {n - 1, n + 1, Op::kMaxPool, 0}};
    const std::vector<BatchNormArgs> bns = RandomBatchNorms(cell);
    ExpectAsAccurateAsOneByOne(cell, bns, RandomInputs(cell, torch::kFloat), AsItIs,
                               absl::StrCat(n, " inputs"));
  }
}

// The first cell reads the stem's output as both inputs.
TEST(FusedCellTest, TheSameTensorAsBothInputs) {
  torch::manual_seed(2);
  CellRecipe cell;
  cell.input_channels = {5, 5};
  cell.edges = {{0, 2, Op::kSepConv, 3}, {1, 2, Op::kIdentity, 0}, {0, 3, Op::kMaxPool, 0},
                {2, 3, Op::kDilConv, 5}, {1, 4, Op::kAvgPool, 0}, {3, 4, Op::kIdentity, 0}};
  const std::vector<BatchNormArgs> bns = RandomBatchNorms(cell);
  const std::vector<at::Tensor> inputs = RandomInputs(cell, torch::kFloat);
  // Input 0 goes unused: s1 is read as s0 too.
  auto shared = [](const TensorFunction& fn) {
    return [fn](const std::vector<at::Tensor>& in) {
      std::vector<at::Tensor> both = in;
      both[0] = in[1];
      return fn(both);
    };
  };
  ExpectAsAccurateAsOneByOne(cell, bns, inputs, shared, "s0 = s1");
}

TEST(FusedCellTest, GradientsMatchFiniteDifferencesInDouble) {
  torch::manual_seed(3);
  CellRecipe cell;
  cell.batch = 2;
  cell.input_channels = {2, 3};
  cell.channels = 2;
  cell.size = 4;
  cell.nodes = 2;
  for (bool reduction : {false, true}) {
    cell.reduction = reduction;
    cell.affine = reduction;
    cell.edges = {{0, 2, Op::kSepConv, 3}, {1, 2, reduction ? Op::kReduce : Op::kIdentity, 0},
                  {1, 3, Op::kAvgPool, 0}, {2, 3, Op::kDilConv, 3}, {2, 3, Op::kMaxPool, 0}};
    EXPECT_TRUE(GradientsMatchFiniteDifferences(Fused(cell, InDouble(RandomBatchNorms(cell))),
                                                RandomInputs(cell, torch::kDouble)))
        << (reduction ? "reduction" : "normal");
  }
}

TEST(FusedCellTest, ResultsAreTheSameOnOneAndTwoThreads) {
  torch::manual_seed(4);
  CellRecipe cell;
  // Work for two threads in every unit (kMinParallelWork each,
  // stealing_parallel_for.h).
  cell.batch = 5;
  cell.size = 32;
  cell.channels = 8;
  cell.edges = {{0, 2, Op::kSepConv, 5}, {1, 2, Op::kIdentity, 0}, {2, 3, Op::kMaxPool, 0},
                {0, 3, Op::kDilConv, 3}, {3, 4, Op::kAvgPool, 0}, {1, 4, Op::kSepConv, 3}};
  const std::vector<BatchNormArgs> bns = RandomBatchNorms(cell);
  const std::vector<at::Tensor> inputs = RandomInputs(cell, torch::kFloat);
  const ForwardBackward one = RunWithGradients(Fused(cell, CopiesOf(bns)), inputs, 1);
  const ForwardBackward two = RunWithGradients(Fused(cell, CopiesOf(bns)), inputs, 2);
  EXPECT_TRUE(torch::equal(one.output, two.output));
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_TRUE(torch::equal(one.grads[i], two.grads[i])) << "input " << i;
  }
}

// No edge computes anything: the output is zero and depends on nothing.
TEST(FusedCellTest, ACellOfNoneEdgesIsZeroAndPassesNoGradient) {
  torch::manual_seed(5);
  CellRecipe cell;
  const std::vector<at::Tensor> inputs = RandomInputs(cell, torch::kFloat);
  const ForwardBackward fused = RunWithGradients(Fused(cell, RandomBatchNorms(cell)), inputs);
  EXPECT_EQ(fused.output.sizes(),
            at::IntArrayRef({cell.batch, cell.nodes * cell.channels, cell.size, cell.size}));
  EXPECT_TRUE(torch::equal(fused.output, torch::zeros_like(fused.output)));
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_FALSE(fused.grads[i].defined()) << "input " << i;
  }
}

TEST(FusedCellTest, ASecondBackwardIsAClearError) {
  torch::manual_seed(6);
  CellRecipe cell;
  cell.edges = {{0, 2, Op::kSepConv, 3}};
  std::vector<at::Tensor> inputs = RandomInputs(cell, torch::kFloat);
  for (at::Tensor& t : inputs) t.requires_grad_(true);
  const at::Tensor out = Fused(cell, RandomBatchNorms(cell))(inputs);
  out.sum().backward();
  try {
    out.sum().backward();
    FAIL() << "a second backward ran";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("a second time"), std::string::npos) << e.what();
  }
}

TEST(FusedCellTest, RejectsEdgesOutsideTheCell) {
  CellRecipe cell;
  const std::vector<at::Tensor> inputs = RandomInputs(cell, torch::kFloat);
  cell.edges = {{3, 3, Op::kIdentity, 0}};
  EXPECT_THROW(Fused(cell, RandomBatchNorms(cell))(inputs), c10::Error);
  cell.edges = {{0, 5, Op::kIdentity, 0}};
  EXPECT_THROW(Fused(cell, RandomBatchNorms(cell))(inputs), c10::Error);
}

}  // namespace
}  // namespace mdenas
