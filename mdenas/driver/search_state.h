// A search's own part of its checkpoint (SearchState, checkpoint.proto): the
// learner, its history and the sampler, beside the training loop's state.

#ifndef MDENAS_DRIVER_SEARCH_STATE_H_
#define MDENAS_DRIVER_SEARCH_STATE_H_

#include "absl/status/status.h"
#include "mdenas/learner/multinomial_learner.h"
#include "mdenas/proto/checkpoint.pb.h"

namespace mdenas {

// Puts `state`, saved after epoch `epochs_done`, into `learner` and
// `sampler`, checking that every part fits: the history's length, the
// learner's shape and values, the generator.
absl::Status RestoreSearchState(const SearchState& state, int epochs_done,
                                MultinomialLearner* learner, Rng* sampler);

}  // namespace mdenas

#endif  // MDENAS_DRIVER_SEARCH_STATE_H_
