// Fuzzes what resuming a search does with the bytes of a checkpoint.bin:
// unframing, parsing, and restoring the learner, the network's tensors, the
// optimizer's momentum and both random generators. The seed corpus holds a
// real checkpoint of the network built here (1 cell of 2 channels with one
// intermediate node), so mutations reach every restoring step.

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "mdenas/driver/search_checkpoint.h"
#include "mdenas/space/cell_topology.h"
#include "mdenas/space/supernet.h"
#include "mdenas/training/sgd.h"

namespace {

struct Target {
  Target()
      : network(mdenas::SupernetOptions().layers(1).init_channels(2).nodes(1)),
        optimizer(mdenas::MakeSgd(mdenas::OptimizerSpec(),
                                  network->parameters())),
        learner(2 * mdenas::CellEdgeCount(1), 8, {}) {}

  mdenas::Supernet network;
  std::unique_ptr<torch::optim::SGD> optimizer;
  mdenas::MultinomialLearner learner;
  mdenas::Rng sampler;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Target* const target = new Target;
  const absl::StatusOr<mdenas::SearchCheckpoint> checkpoint =
      mdenas::ParseSearchCheckpoint(
          std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!checkpoint.ok()) return 0;
  (void)mdenas::RestoreSearchState(
      *checkpoint, 100,
      {&target->learner, target->network.get(), target->optimizer.get(),
       &target->sampler});
  return 0;
}
