// The search's checkpoint.bin: writing it, reading it back with every part
// checked, and putting its training state into the objects a resumed search
// runs with. Reading never trusts the bytes: a damaged or foreign file is an
// error that names the file, never a crash (fuzz/checkpoint_fuzzer.cc).

#ifndef MDENAS_DRIVER_SEARCH_CHECKPOINT_H_
#define MDENAS_DRIVER_SEARCH_CHECKPOINT_H_

#include <string>

#include <torch/nn/module.h>
#include <torch/optim/sgd.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/learner/multinomial_learner.h"
#include "mdenas/proto/search_checkpoint.pb.h"
#include "mdenas/proto/search_spec.pb.h"

namespace mdenas {

// Writes `checkpoint` (stamped with the current format version) to the run's
// checkpoint.bin, atomically.
absl::Status WriteSearchCheckpoint(const RunDirectory& run,
                                   SearchCheckpoint checkpoint);

// The checkpoint in `bytes`, the contents of a checkpoint.bin that `source`
// names: framing, contents and format version checked.
absl::StatusOr<SearchCheckpoint> ParseSearchCheckpoint(
    absl::string_view bytes, const std::string& source);

// The checkpoint in `run`, parsed, and, unless `spec` is null, checked to
// belong to a run of `spec` (the output directory aside).
absl::StatusOr<SearchCheckpoint> ReadSearchCheckpoint(const RunDirectory& run,
                                                      const SearchSpec* spec);

// What a search resumes with.
struct SearchState {
  MultinomialLearner* learner;
  torch::nn::Module* network;
  torch::optim::SGD* optimizer;
  Rng* sampler;
};

// Puts the training state of `checkpoint` (of a search of `epochs` epochs)
// into `state`, checking that every part fits: epoch counts, the learner's
// shape and values, every tensor's name and shape, the generators.
absl::Status RestoreSearchState(const SearchCheckpoint& checkpoint, int epochs,
                                const SearchState& state);

}  // namespace mdenas

#endif  // MDENAS_DRIVER_SEARCH_CHECKPOINT_H_
