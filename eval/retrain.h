// Retraining an architecture from scratch and testing it, with the
// DARTS-family protocol (MDENAS_SPEC.md §3.1): SGD with a cosine schedule,
// cutout, and what the space's network adds (DARTS: drop-path ramped
// linearly from 0, an auxiliary head weighted into the loss, dropout before
// the classifier), with gradient clipping. The test set is measured after
// every epoch, as DARTS does. The epochs are the training loop's
// (mdenas/training/training_loop.h), with a checkpoint after every epoch,
// and the network's weights for Python, weights.pt, with the results. The
// network starts from spec.init_weights() where that names a file.
//
//   MDENAS_ASSIGN_OR_RETURN(TrainingData data,
//       OpenRetrainingData(spec.data(), spec.cutout_length()));
//   MDENAS_ASSIGN_OR_RETURN(auto retraining,
//       Retraining::Create(spec, architecture, data, run, /*resume=*/false));
//   MDENAS_RETURN_IF_ERROR(retraining->Run(&progress));

#ifndef MDENAS_EVAL_RETRAIN_H_
#define MDENAS_EVAL_RETRAIN_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/training_data.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/space/search_space.h"
#include "mdenas/training/replicas.h"

namespace mdenas {

class Retraining {
 public:
  // A retraining of `architecture` (of the space spec.network() selects)
  // under the resolved, valid `spec`, writing to `run`. With `resume`, it
  // continues from the run's checkpoint, which must belong to `spec` and
  // train `architecture`. `replicas` (which must outlive the retraining)
  // are the data-parallel processes this one trains with; replica 0 writes
  // `run`.
  static absl::StatusOr<std::unique_ptr<Retraining>> Create(const EvalSpec& spec,
                                                            const Architecture& architecture,
                                                            TrainingData data, RunDirectory run,
                                                            bool resume,
                                                            Replicas* replicas = OneProcess());
  ~Retraining();

  // Trains the remaining epochs, or up to epoch `stop_after` (1-based) when
  // positive; after the last epoch, measures the network's latency. A
  // non-finite training loss stops it with an error and leaves the last
  // checkpoint as it was.
  absl::Status Run(ProgressReporter* progress, int stop_after = 0);

  int epochs_done() const;
  // What result.json holds: test top-1/top-5, parameters, MACs, latency.
  RunResult result() const;

 private:
  class Impl;
  explicit Retraining(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A new retraining of `architecture` under the resolved, valid `spec`, run
// to its last epoch: its data opened, its run directory created at
// spec.runtime().output_dir().
absl::StatusOr<std::unique_ptr<Retraining>> RunNewRetraining(const EvalSpec& spec,
                                                             const Architecture& architecture,
                                                             ProgressReporter* progress);

}  // namespace mdenas

#endif  // MDENAS_EVAL_RETRAIN_H_
