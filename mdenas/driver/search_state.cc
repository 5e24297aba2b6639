#include "mdenas/driver/search_state.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {

absl::Status RestoreSearchState(const SearchState& state, int epochs_done,
                                MultinomialLearner* learner, Rng* sampler) {
  if (state.history_size() != epochs_done) {
    return absl::DataLossError(absl::StrCat("the learner's history has ", state.history_size(),
                                            " epochs, the run ", epochs_done));
  }
  MDENAS_RETURN_IF_ERROR(learner->RestoreFrom(state.learner()));
  std::istringstream text(state.sampler_rng());
  text >> *sampler;
  if (text.fail()) return absl::DataLossError("unreadable sampler state");
  return absl::OkStatus();
}

}  // namespace mdenas
