// checkpoint.bin, the checkpoint of every training run (checkpoint.proto):
// the training loop's state and the job's, written atomically after every
// epoch and read back with every part checked. Reading never trusts the
// bytes: a damaged or foreign file is an error that names the file, never
// a crash (fuzz/checkpoint_fuzzer.cc).

#ifndef MDENAS_RUN_CHECKPOINT_H_
#define MDENAS_RUN_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "mdenas/proto/checkpoint.pb.h"
#include "mdenas/run/run_directory.h"

namespace mdenas {

// The magic that frames checkpoint.bin (mdenas/base/framed_file.h).
inline constexpr char kCheckpointMagic[] = "MDNSCKPT";

// Writes `checkpoint`, stamped with the current format version, to the run's
// checkpoint.bin, atomically.
absl::Status WriteCheckpoint(const RunDirectory& run, Checkpoint checkpoint);

// The checkpoint in `bytes`, the contents of a checkpoint.bin that `source`
// names: framing, contents and format version checked.
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view bytes, const std::string& source);

// The checkpoint of the run in `run`.
absl::StatusOr<Checkpoint> ReadCheckpoint(const RunDirectory& run);

// The run's checkpoint, which must hold a job of kind `job` ("search",
// "retraining": a member of Checkpoint.job) whose spec is `spec`, unless
// `spec` is null (the output directory aside, see SameRunSpec).
absl::StatusOr<Checkpoint> ReadCheckpointOf(const RunDirectory& run, absl::string_view job,
                                            const google::protobuf::Message* spec);

// The spec recorded in the job state of `checkpoint` (that of its member of
// Checkpoint.job); null where none is set.
const google::protobuf::Message* CheckpointSpec(const Checkpoint& checkpoint);

}  // namespace mdenas

#endif  // MDENAS_RUN_CHECKPOINT_H_
