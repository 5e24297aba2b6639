#include "mdenas/driver/search_checkpoint.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "mdenas/base/file.h"
#include "mdenas/base/framed_file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/training/tensor_state.h"

namespace mdenas {
namespace {

constexpr char kMagic[] = "MDNSSRCH";
// Bumped whenever SearchCheckpoint changes meaning.
constexpr int kFormatVersion = 1;

}  // namespace

absl::Status WriteSearchCheckpoint(const RunDirectory& run,
                                   SearchCheckpoint checkpoint) {
  checkpoint.set_format_version(kFormatVersion);
  return WriteFramedFile(run.File(kCheckpointFile), kMagic,
                         checkpoint.SerializeAsString());
}

absl::StatusOr<SearchCheckpoint> ParseSearchCheckpoint(
    absl::string_view bytes, const std::string& source) {
  MDENAS_ASSIGN_OR_RETURN(const std::string payload,
                          UnframeBytes(bytes, kMagic, source));
  SearchCheckpoint checkpoint;
  if (!checkpoint.ParseFromString(payload)) {
    return absl::DataLossError(absl::StrCat(
        source, ": not a search checkpoint (unreadable contents)"));
  }
  if (checkpoint.format_version() != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        source, ": checkpoint format version ", checkpoint.format_version(),
        "; this build reads version ", kFormatVersion));
  }
  return checkpoint;
}

absl::StatusOr<SearchCheckpoint> ReadSearchCheckpoint(const RunDirectory& run,
                                                      const SearchSpec* spec) {
  const std::string path = run.File(kCheckpointFile);
  MDENAS_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  MDENAS_ASSIGN_OR_RETURN(SearchCheckpoint checkpoint,
                          ParseSearchCheckpoint(bytes, path));
  if (spec != nullptr && !SameRunSpec(checkpoint.spec(), *spec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": the checkpoint belongs to another spec; resume without "
              "--spec and spec flags to continue the run as it was started"));
  }
  return checkpoint;
}

absl::Status RestoreSearchState(const SearchCheckpoint& checkpoint, int epochs,
                                const SearchState& state) {
  if (checkpoint.epochs_done() < 1 || checkpoint.epochs_done() > epochs ||
      checkpoint.epochs_size() != checkpoint.epochs_done() ||
      checkpoint.history_size() != checkpoint.epochs_done()) {
    return absl::DataLossError(absl::StrCat("inconsistent epoch count ",
                                            checkpoint.epochs_done()));
  }
  MDENAS_RETURN_IF_ERROR(state.learner->RestoreFrom(checkpoint.learner()));
  MDENAS_RETURN_IF_ERROR(LoadModuleState(checkpoint.network(), state.network));
  MDENAS_RETURN_IF_ERROR(LoadSgdState(checkpoint.optimizer(), state.optimizer));
  MDENAS_RETURN_IF_ERROR(LoadCpuGeneratorState(checkpoint.torch_rng()));
  std::istringstream sampler(checkpoint.sampler_rng());
  sampler >> *state.sampler;
  if (sampler.fail()) {
    return absl::DataLossError("unreadable sampler state");
  }
  return absl::OkStatus();
}

}  // namespace mdenas
