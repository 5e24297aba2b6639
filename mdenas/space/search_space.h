// What a search space is to the search, the retraining and the studies: its
// decisions (the edges of a cell, the slots of a block list) and the choices
// of each; the single-path supernet it builds; how learned distributions
// become an architecture; architectures as plain text, parsed and printed;
// the stand-alone network of an architecture; and how a path is shown. The
// learner sees only decisions x choices; nothing outside a space's folder
// knows its operations. spaces.h finds a space from a spec.
//
//   MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<SearchSpace> space,
//                           MakeSearchSpace(spec.space()));
//   std::shared_ptr<Supernet> net = space->MakeSupernet(inputs, std::nullopt);
//   torch::Tensor logits = net->forward(images, path);  // a choice per decision
//   Architecture found = space->Derive(learner.distributions());

#ifndef MDENAS_SPACE_SEARCH_SPACE_H_
#define MDENAS_SPACE_SEARCH_SPACE_H_

#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mdenas/kernels/kernels.h"
#include "mdenas/nn/state_dict.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {

// One decision of a space and the choices it has.
struct Decision {
  // How the outputs name the decision: its values of the space's
  // DecisionColumns() in distribution.csv, and a label for the terminal.
  std::vector<std::string> columns;
  std::string label;
  // The candidates (operations, blocks); a path holds an index into this.
  std::vector<std::string> choices;
  // The index of the choice that computes nothing (`none`), or -1.
  int zero_choice = -1;
};

// An architecture of a space in the text form its users know (DARTS:
// "Genotype(normal=[...], ...)"): plain data that names one network of the
// space. The space prints it canonically, so equal architectures have equal
// text.
struct Architecture {
  std::string text;

  bool operator==(const Architecture& other) const { return text == other.text; }
};

// What a network is built for: the data's images and classes, and the
// kernels its operations run on.
struct NetworkInputs {
  int64_t channels = 3;
  int64_t height = 32;
  int64_t width = 32;
  int64_t classes = 10;
  // The data set, for spaces whose networks differ by data set (DARTS:
  // NetworkImageNet's stem for IMAGENET).
  DataSpec::Dataset dataset = DataSpec::CIFAR10;
  Kernels kernels = Kernels::kFast;
};

// ImageNet's networks as the paper counts and times them: 224x224 images of
// 1000 classes.
inline NetworkInputs ImageNetInputs() {
  NetworkInputs inputs;
  inputs.height = inputs.width = 224;
  inputs.classes = 1000;
  inputs.dataset = DataSpec::IMAGENET;
  return inputs;
}

// The single-path supernet: every choice of every decision built, sharing
// weights across paths; a forward pass runs only the choices a path picks.
class Supernet : public torch::nn::Module {
 public:
  // Logits of `images` through `path`: a choice index per decision.
  virtual torch::Tensor forward(const torch::Tensor& images,
                                absl::Span<const int> path) = 0;

  // Logits of the DARTS-style mixed supernet, for comparison: each
  // decision's output is the sum of all its choices' outputs weighted by
  // `weights` [decisions, choices]. Costs every choice's compute and
  // activations.
  virtual torch::Tensor forward_mixed(const torch::Tensor& images,
                                      const torch::Tensor& weights) = 0;
};

struct NetworkOutput {
  torch::Tensor logits;
  // Logits of an auxiliary head, in training mode where the network has
  // one; undefined otherwise. The training loss adds its cross entropy
  // weighted by auxiliary_weight.
  torch::Tensor auxiliary_logits;
  double auxiliary_weight = 0;
};

// The stand-alone network of one architecture, for retraining and testing.
class Network : public torch::nn::Module {
 public:
  virtual NetworkOutput forward(const torch::Tensor& images) = 0;

  // Before training epoch `epoch` (1-based) of `epochs`: for regularisers
  // scheduled over the epochs (DARTS's drop-path).
  virtual void StartEpoch(int epoch, int epochs) {}

  // The network's settings, for logs and result.json ("20 cells x 36
  // channels, drop-path 0.2, ...").
  virtual std::string Description() const = 0;

  // Every parameter and buffer, each the network's own tensor, under the
  // names and in the order of the state_dict() of the space's reference
  // model (DARTS: cnn/model.py's NetworkCIFAR or NetworkImageNet;
  // NAS-Bench-201: xautodl's TinyNetwork), so that weights cross to and
  // from Python (network_weights.h).
  virtual NamedTensors ReferenceStateDict() const = 0;
};

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;

  // The member of SearchSpaceSpec.space and NetworkSpec.space that selects
  // it ("darts").
  virtual std::string name() const = 0;
  // Its search settings, for logs and result.json ("5 cells x 8 channels").
  virtual std::string Description() const = 0;
  // The data set the paper's tables size its networks on: CIFAR-10 for
  // the cell spaces, ImageNet for the mobile space.
  virtual DataSpec::Dataset NativeDataset() const { return DataSpec::CIFAR10; }

  // --- The search ---------------------------------------------------------

  virtual const std::vector<Decision>& decisions() const = 0;
  // The names of Decision::columns and of the choice's column, for
  // distribution.csv.
  virtual std::vector<std::string> DecisionColumns() const = 0;
  virtual std::string ChoiceColumn() const = 0;

  // The supernet for `inputs`; with `only_path`, only the choices that path
  // picks are built: the stand-alone network of one sampled path, with the
  // parameter names it has in the full supernet, whose forward takes only
  // that path.
  virtual std::shared_ptr<Supernet> MakeSupernet(
      const NetworkInputs& inputs, std::optional<std::vector<int>> only_path) const = 0;

  // The architecture `distributions` (one per decision, over its choices)
  // give: the space's derivation rule.
  virtual Architecture Derive(
      absl::Span<const std::vector<double>> distributions) const = 0;

  // A short form of `path` for the progress line and epochs.csv, and the
  // legend that explains it.
  virtual std::string PathText(absl::Span<const int> path) const = 0;
  virtual std::string PathLegend() const = 0;

  // --- Architectures ------------------------------------------------------

  // `text` as an architecture of this space: a built-in name or the text
  // form, checked; the error names the fault and where it is.
  virtual absl::StatusOr<Architecture> ParseArchitecture(
      absl::string_view text) const = 0;
  // The names ParseArchitecture knows ("DARTS_V2", ...).
  virtual std::vector<std::string> BuiltinArchitectures() const = 0;
  // Whether `text` is meant as an architecture itself (a built-in name or
  // the text form) rather than a file that holds one.
  virtual bool IsArchitectureText(absl::string_view text) const = 0;

  // An architecture drawn uniformly from the space: the baseline of the
  // tables and the population of the ranking study.
  virtual Architecture RandomArchitecture(std::mt19937_64* rng) const = 0;

  // `architecture`, which this space printed or parsed, drawn for people:
  // Graphviz DOT text of one graph per part (DARTS: the normal and the
  // reduction cell; see cell_drawing.h), each labelled with its title.
  virtual absl::StatusOr<std::string> ArchitectureDot(
      const Architecture& architecture) const = 0;

  // The supernet path that computes `architecture`, where one does.
  virtual absl::StatusOr<std::vector<int>> PathOf(
      const Architecture& architecture) const = 0;

  // What a benchmark that trained every architecture of the space records
  // of `architecture`, which this space printed or parsed (NAS-Bench-201's
  // table): the ground truth a search is judged by; none where the space
  // has no such table.
  virtual std::vector<KnownAccuracy> KnownAccuracies(const Architecture& architecture) const {
    return {};
  }
  // Where KnownAccuracies come from (a file); empty without them.
  virtual std::string KnownAccuracySource() const { return ""; }

  // The latency of the network `path` picks, as the space's latency table
  // predicts it (milliseconds); an error where it has none.
  virtual absl::StatusOr<double> PredictLatencyMs(absl::Span<const int> path) const {
    return absl::FailedPreconditionError(
        absl::StrCat("the ", name(), " space has no latency table"));
  }

  // The stand-alone network of `architecture` with the settings `spec`
  // holds for this space.
  virtual absl::StatusOr<std::shared_ptr<Network>> MakeNetwork(
      const Architecture& architecture, const NetworkSpec& spec,
      const NetworkInputs& inputs) const = 0;
};

}  // namespace mdenas

#endif  // MDENAS_SPACE_SEARCH_SPACE_H_
