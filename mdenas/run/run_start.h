// How a binary that runs a training job (//mdenas:search, //eval:train)
// turns its command line (run_flags.h) into a resolved spec: for --resume,
// the spec the run's checkpoint holds, which spec flags, if given, must
// equal; for a new run, the spec from --spec (or the binary's preset), the
// field flags and --set, with every check a new run makes reported at once,
// before any work starts.
//
//   SearchSpec spec;
//   MDENAS_ASSIGN_OR_RETURN(RunStart start,
//       StartRun(argv0, kPreset, RunFieldFlags(), "search", &spec));
//   ... load the data ...
//   MDENAS_ASSIGN_OR_RETURN(RunDirectory run, start.Directory(spec));

#ifndef MDENAS_RUN_RUN_START_H_
#define MDENAS_RUN_RUN_START_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "mdenas/base/problems.h"
#include "mdenas/proto/checkpoint.pb.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/spec/spec_flags.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {

struct RunStart {
  // The run --resume names and its checkpoint; unset for a new run.
  std::optional<RunDirectory> resumed;
  std::optional<Checkpoint> checkpoint;
  // For a new run whose data fell back to Fashion-MNIST, says so.
  std::string notice;

  bool resume() const { return resumed.has_value(); }
  // The resumed run's directory, or a new one for `spec` (run_directory.h):
  // a new run's directory is made only once its data has loaded.
  absl::StatusOr<RunDirectory> Directory(const google::protobuf::Message& spec) const;
};

// A binary's own checks of a new run's `spec`, added to `problems` (with
// where each value came from, `origins`); it may resolve values in `spec`.
using NewRunCheck = std::function<void(google::protobuf::Message* spec,
                                       const SpecOrigins& origins, Problems* problems)>;

// Fills `spec` (a SearchSpec or EvalSpec) for the run the flags describe and
// resolves its defaults. `job` is the kind of run the binary makes, its
// member of Checkpoint.job ("search", "retraining"); `default_preset` is
// the binary's spec among its runfiles, for a new run without --spec.
absl::StatusOr<RunStart> StartRun(const char* argv0, const std::string& default_preset,
                                  const std::vector<FieldFlag>& flags, absl::string_view job,
                                  google::protobuf::Message* spec,
                                  const NewRunCheck& check = nullptr);

}  // namespace mdenas

#endif  // MDENAS_RUN_RUN_START_H_
