// Fuzzes what resuming a search does with the bytes of a checkpoint.bin:
// unframing, parsing, and restoring the learner, the network's tensors, the
// optimizer's momentum and both random generators. The first byte picks the
// input's meaning: odd, a whole file; even, a payload the harness frames
// with a valid CRC, so that mutations get past the checksum and reach the
// parser and every restoring step. The seed corpus holds a real checkpoint of
// the network built here (1 cell of 2 channels, one intermediate node), as a
// file and as a payload.

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "mdenas/base/framed_file.h"
#include "mdenas/driver/search_state.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/space/darts/darts_space.h"
#include "mdenas/training/sgd.h"
#include "mdenas/training/training_loop.h"

namespace {

mdenas::DartsSupernetSpec OneCellOneNode() {
  mdenas::DartsSupernetSpec spec;
  spec.set_layers(1);
  spec.set_init_channels(2);
  spec.set_nodes(1);
  return spec;
}

struct Target {
  Target()
      : space(OneCellOneNode()),
        network(space.MakeSupernet({}, std::nullopt)),
        optimizer(mdenas::MakeSgd(mdenas::OptimizerSpec(), network->parameters())),
        learner(std::vector<int>(space.decisions().size(), 8), {}) {}

  mdenas::DartsSpace space;
  std::shared_ptr<mdenas::Supernet> network;
  std::unique_ptr<torch::optim::SGD> optimizer;
  mdenas::MultinomialLearner learner;
  mdenas::Rng sampler;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Target* const target = new Target;
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) bytes = mdenas::FrameBytes(mdenas::kCheckpointMagic, bytes);
  const absl::StatusOr<mdenas::Checkpoint> checkpoint = mdenas::ParseCheckpoint(bytes, "fuzz");
  if (!checkpoint.ok()) return 0;
  (void)mdenas::RestoreSearchState(checkpoint->search(), checkpoint->training().epochs_done(),
                                   &target->learner, &target->sampler);
  (void)mdenas::RestoreTrainingState(checkpoint->training(), 100, target->network.get(),
                                     target->optimizer.get());
  return 0;
}
