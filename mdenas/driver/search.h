// The MdeNAS search (MDENAS_SPEC.md §2) over any search space: each epoch
// the learner samples a path (a choice per decision of the space), the
// space's supernet trains one epoch on the training split through only that
// path, the path is measured on the validation split, and the learner
// records the result and updates its distributions. The epochs are the
// training loop's (mdenas/training/training_loop.h): after every epoch the
// run directory gets a checkpoint and the results so far, and a search
// resumed from it ends exactly as an uninterrupted one would.
//
//   MDENAS_ASSIGN_OR_RETURN(TrainingData data,
//       OpenSearchData(spec.data(), spec.train_fraction(), spec.split_seed()));
//   MDENAS_ASSIGN_OR_RETURN(auto search,
//                           Search::Create(spec, data, run, /*resume=*/false));
//   MDENAS_RETURN_IF_ERROR(search->Run(&progress));
//   Architecture found = search->architecture();

#ifndef MDENAS_DRIVER_SEARCH_H_
#define MDENAS_DRIVER_SEARCH_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "data/training_data.h"
#include "mdenas/learner/multinomial_learner.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/space/search_space.h"
#include "mdenas/training/replicas.h"

namespace mdenas {

class Search {
 public:
  // A search of the resolved, valid `spec` on `data`, writing to `run`.
  // With `resume`, it continues from the run's checkpoint, which must belong
  // to `spec`. `replicas` (which must outlive the search) are the
  // data-parallel processes this one searches with; every one searches the
  // same spec, and replica 0 writes `run`.
  static absl::StatusOr<std::unique_ptr<Search>> Create(const SearchSpec& spec, TrainingData data,
                                                        RunDirectory run, bool resume,
                                                        Replicas* replicas = OneProcess());
  ~Search();

  // Runs the remaining epochs, or up to epoch `stop_after` (1-based) when
  // it is positive. A non-finite training loss stops the search with an
  // error; the checkpoint of the last finished epoch stays as it was.
  absl::Status Run(ProgressReporter* progress, int stop_after = 0);

  // Top-1 accuracy (%) of `path` on the validation split with the shared
  // weights as they are now.
  absl::StatusOr<double> ValidationAccuracy(absl::Span<const int> path);

  int epochs_done() const;
  const SearchSpace& space() const;
  const MultinomialLearner& learner() const;
  // The architecture the distributions give now (MDENAS_SPEC.md §2.4).
  Architecture architecture() const;
  // What result.json holds.
  RunResult result() const;

 private:
  class Impl;
  explicit Search(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A new search of the resolved, valid `spec`, run to its last epoch: its
// data opened, its run directory created at spec.runtime().output_dir().
absl::StatusOr<std::unique_ptr<Search>> RunNewSearch(const SearchSpec& spec,
                                                     ProgressReporter* progress);

}  // namespace mdenas

#endif  // MDENAS_DRIVER_SEARCH_H_
