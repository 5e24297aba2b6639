#include "mdenas/run/checkpoint.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "mdenas/base/file.h"
#include "mdenas/base/framed_file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

// Bumped whenever Checkpoint changes meaning.
constexpr int kFormatVersion = 2;

// The name of the member of Checkpoint.job that is set, or "nothing".
std::string JobName(const Checkpoint& checkpoint) {
  const google::protobuf::FieldDescriptor* field =
      checkpoint.GetReflection()->GetOneofFieldDescriptor(
          checkpoint, Checkpoint::descriptor()->FindOneofByName("job"));
  return field == nullptr ? "nothing" : field->name();
}

}  // namespace

absl::Status WriteCheckpoint(const RunDirectory& run, Checkpoint checkpoint) {
  checkpoint.set_format_version(kFormatVersion);
  return WriteFramedFile(run.File(kCheckpointFile), kCheckpointMagic,
                         checkpoint.SerializeAsString());
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view bytes, const std::string& source) {
  MDENAS_ASSIGN_OR_RETURN(const std::string payload,
                          UnframeBytes(bytes, kCheckpointMagic, source));
  Checkpoint checkpoint;
  if (!checkpoint.ParseFromString(payload)) {
    return absl::DataLossError(
        absl::StrCat(source, ": not a checkpoint (unreadable contents)"));
  }
  if (checkpoint.format_version() != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        source, ": checkpoint format version ", checkpoint.format_version(),
        "; this build reads version ", kFormatVersion));
  }
  return checkpoint;
}

absl::StatusOr<Checkpoint> ReadCheckpoint(const RunDirectory& run) {
  const std::string path = run.File(kCheckpointFile);
  MDENAS_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  return ParseCheckpoint(bytes, path);
}

const google::protobuf::Message* CheckpointSpec(const Checkpoint& checkpoint) {
  const google::protobuf::Reflection* reflection = checkpoint.GetReflection();
  const google::protobuf::FieldDescriptor* job = reflection->GetOneofFieldDescriptor(
      checkpoint, Checkpoint::descriptor()->FindOneofByName("job"));
  if (job == nullptr) return nullptr;
  const google::protobuf::Message& state = reflection->GetMessage(checkpoint, job);
  const google::protobuf::FieldDescriptor* spec = state.GetDescriptor()->FindFieldByName("spec");
  return spec == nullptr ? nullptr : &state.GetReflection()->GetMessage(state, spec);
}

absl::StatusOr<Checkpoint> ReadCheckpointOf(const RunDirectory& run, absl::string_view job,
                                            const google::protobuf::Message* spec) {
  MDENAS_ASSIGN_OR_RETURN(Checkpoint checkpoint, ReadCheckpoint(run));
  const std::string path = run.File(kCheckpointFile);
  if (JobName(checkpoint) != job) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": the checkpoint holds a ", JobName(checkpoint), ", not a ", job));
  }
  if (spec != nullptr && !SameRunSpec(*CheckpointSpec(checkpoint), *spec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": the checkpoint belongs to another spec; resume without "
              "--spec and spec flags to continue the run as it was started"));
  }
  return checkpoint;
}

}  // namespace mdenas
