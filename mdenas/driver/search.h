// The MdeNAS search (MDENAS_SPEC.md §2): each epoch the learner samples an
// architecture, the supernet trains one epoch on the training split through
// only that path, the path is measured on the validation split, and the
// learner records the result and updates its distributions. After every epoch
// the run directory gets a checkpoint (network, optimizer, learner, every
// random generator) and the results so far; a search resumed from it ends
// exactly as an uninterrupted one would.
//
//   MDENAS_ASSIGN_OR_RETURN(auto search,
//                           Search::Create(spec, data, run, /*resume=*/false));
//   MDENAS_RETURN_IF_ERROR(search->Run(&progress));
//   Genotype genotype = search->genotype();

#ifndef MDENAS_DRIVER_SEARCH_H_
#define MDENAS_DRIVER_SEARCH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/data_spec.h"
#include "data/split.h"
#include "mdenas/learner/multinomial_learner.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/space/darts/genotype.h"

namespace mdenas {

// The images a search uses: the training part of a data set, split into
// images that train the weights and images that measure accuracy.
struct SearchData {
  SpecData data;
  TrainValidationSplit split;
  DataTransforms transforms;
  // Says what was opened, for logs and result.json.
  std::string description;
};

// Opens the data set in spec.data().path() and splits it as `spec` says.
absl::StatusOr<SearchData> LoadSearchData(const SearchSpec& spec);

class Search {
 public:
  // A search of the resolved, valid `spec` on `data`, writing to `run`.
  // With `resume`, it continues from the run's checkpoint, which must belong
  // to `spec`.
  static absl::StatusOr<std::unique_ptr<Search>> Create(const SearchSpec& spec,
                                                        SearchData data,
                                                        RunDirectory run,
                                                        bool resume);
  ~Search();

  // Runs the remaining epochs, or up to epoch `stop_after` (1-based) when it
  // is positive. A non-finite training loss stops the search with an error;
  // the checkpoint of the last finished epoch stays as it was.
  absl::Status Run(ProgressReporter* progress, int stop_after = 0);

  // Top-1 accuracy (%) of `path` on the validation split with the shared
  // weights as they are now.
  absl::StatusOr<double> ValidationAccuracy(const std::vector<int>& path);

  int epochs_done() const;
  const MultinomialLearner& learner() const;
  // The architecture the distributions give now (MDENAS_SPEC.md §2.4).
  Genotype genotype() const;
  // What result.json holds.
  RunResult result() const;

 private:
  class Impl;
  explicit Search(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdenas

#endif  // MDENAS_DRIVER_SEARCH_H_
