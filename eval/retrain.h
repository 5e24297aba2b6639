// Retraining a genotype from scratch and testing it, with the DARTS-family
// protocol (MDENAS_SPEC.md §3.1): SGD with a cosine schedule, cutout,
// drop-path ramped linearly from 0 to its final probability, an auxiliary
// head weighted into the loss, gradient clipping, dropout before the
// classifier. The test set is measured after every epoch, as DARTS does; the
// run directory follows the search's conventions (mdenas/driver/
// run_directory.h), with a checkpoint after every epoch.
//
//   MDENAS_ASSIGN_OR_RETURN(auto retraining,
//       Retraining::Create(spec, genotype, data, run, /*resume=*/false));
//   MDENAS_RETURN_IF_ERROR(retraining->Run(&progress));

#ifndef MDENAS_EVAL_RETRAIN_H_
#define MDENAS_EVAL_RETRAIN_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/data_spec.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/proto/eval_checkpoint.pb.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/space/darts/genotype.h"

namespace mdenas {

// The images a retraining uses: the whole training part (or its
// max_train_images subset) to train, the test part to test.
struct RetrainData {
  SpecData data;
  DataTransforms transforms;
  // Says what was opened, for logs and result.json.
  std::string description;
};

// Opens the data set in spec.data().path().
absl::StatusOr<RetrainData> LoadRetrainData(const EvalSpec& spec);

// The checkpoint in `run`, checked: its framing, its format version, and
// that it belongs to a run of `spec` (the output directory aside), unless
// `spec` is null.
absl::StatusOr<EvalCheckpoint> ReadEvalCheckpoint(const RunDirectory& run,
                                                  const EvalSpec* spec);

class Retraining {
 public:
  // A retraining of `genotype` under the resolved, valid `spec`, writing to
  // `run`. With `resume`, it continues from the run's checkpoint, which must
  // belong to `spec`.
  static absl::StatusOr<std::unique_ptr<Retraining>> Create(
      const EvalSpec& spec, const Genotype& genotype, RetrainData data,
      RunDirectory run, bool resume);
  ~Retraining();

  // Trains the remaining epochs, or up to epoch `stop_after` (1-based) when
  // positive; after the last epoch, measures test top-1/top-5, parameters,
  // MACs and latency. A non-finite training loss stops it with an error and
  // leaves the last checkpoint as it was.
  absl::Status Run(ProgressReporter* progress, int stop_after = 0);

  int epochs_done() const;
  // What result.json holds.
  RunResult result() const;

 private:
  class Impl;
  explicit Retraining(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdenas

#endif  // MDENAS_EVAL_RETRAIN_H_
