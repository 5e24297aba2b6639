#include "mdenas/run/run_start.h"

#include <memory>

#include "mdenas/base/status_macros.h"
#include "mdenas/proto/training.pb.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/run/run_flags.h"

namespace mdenas {
namespace {

// The message field `name` of `spec`: its data or runtime settings, which
// every kind of spec has.
template <typename Field>
Field* MutableField(google::protobuf::Message* spec, const char* name) {
  return google::protobuf::DynamicCastToGenerated<Field>(spec->GetReflection()->MutableMessage(
      spec, spec->GetDescriptor()->FindFieldByName(name)));
}

template <typename Field>
const Field& GetField(const google::protobuf::Message& spec, const char* name) {
  return *google::protobuf::DynamicCastToGenerated<Field>(&spec.GetReflection()->GetMessage(
      spec, spec.GetDescriptor()->FindFieldByName(name)));
}

absl::StatusOr<RunStart> ResumeRun(const char* argv0, const std::string& default_preset,
                                   const std::vector<FieldFlag>& flags, absl::string_view job,
                                   google::protobuf::Message* spec) {
  RunStart start;
  MDENAS_ASSIGN_OR_RETURN(start.resumed, RunDirectory::Open(ResumeFlag()));
  MDENAS_ASSIGN_OR_RETURN(start.checkpoint, ReadCheckpointOf(*start.resumed, job, nullptr));
  spec->CopyFrom(*CheckpointSpec(*start.checkpoint));
  // Flags that shape a spec must shape this one.
  if (AnySpecFlag(flags)) {
    const std::unique_ptr<google::protobuf::Message> from_flags(spec->New());
    SpecOrigins origins;
    MDENAS_RETURN_IF_ERROR(
        SpecFromFlags(argv0, default_preset, flags, from_flags.get(), &origins));
    AlignResumedData(*MutableField<DataSpec>(spec, "data"),
                     MutableField<DataSpec>(from_flags.get(), "data"));
    MDENAS_RETURN_IF_ERROR(ReadCheckpointOf(*start.resumed, job, from_flags.get()).status());
  }
  MutableField<RuntimeSpec>(spec, "runtime")->set_output_dir(start.resumed->path());
  return start;
}

}  // namespace

absl::StatusOr<RunDirectory> RunStart::Directory(const google::protobuf::Message& spec) const {
  if (resumed) return *resumed;
  return RunDirectory::Create(GetField<RuntimeSpec>(spec, "runtime").output_dir(), spec);
}

absl::StatusOr<RunStart> StartRun(const char* argv0, const std::string& default_preset,
                                  const std::vector<FieldFlag>& flags, absl::string_view job,
                                  google::protobuf::Message* spec, const NewRunCheck& check) {
  RunStart start;
  if (!ResumeFlag().empty()) {
    MDENAS_ASSIGN_OR_RETURN(start, ResumeRun(argv0, default_preset, flags, job, spec));
  } else {
    // Everything that can be checked before the work starts, all at once.
    Problems problems;
    SpecOrigins origins;
    problems.Add(SpecFromFlags(argv0, default_preset, flags, spec, &origins));
    if (check) check(spec, origins, &problems);
    CheckNewRun(origins, MutableField<DataSpec>(spec, "data"),
                MutableField<RuntimeSpec>(spec, "runtime"), &problems, &start.notice);
    MDENAS_RETURN_IF_ERROR(problems.ToStatus());
  }
  FillDefaults(spec);
  return start;
}

}  // namespace mdenas
