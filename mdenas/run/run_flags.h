// The command line //mdenas:search and //eval:train share: a spec file and
// flags that override its fields, --resume, and the checks a new run makes
// before it starts. The flags are defined once, here:
//   --spec --resume --epochs --batch_size --seed --threads --device --out
//   --data_dir --space --set --print_spec

#ifndef MDENAS_RUN_RUN_FLAGS_H_
#define MDENAS_RUN_RUN_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mdenas/base/problems.h"
#include "mdenas/proto/training.pb.h"
#include "mdenas/spec/spec_flags.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {

// Parses the command line as ParseCommandLine (mdenas/base/command_line.h)
// does, except that every --set counts, not only the last (Abseil's rule):
// their pairs apply in order.
std::vector<char*> ParseRunCommandLine(int argc, char** argv);

// The field flags above with the values given, and a binary's own `extra`.
std::vector<FieldFlag> RunFieldFlags(std::vector<FieldFlag> extra = {});

// --space=NAME as a field flag: it selects the member NAME of the oneof
// `space` in the spec's message `field` ("space" of a SearchSpec, "network"
// of an EvalSpec), its settings at their defaults where the spec did not
// select it already. Give it before the flags that set its settings.
FieldFlag SpaceFlag(absl::string_view field);

// Whether --print_spec was given.
bool PrintSpecFlag();

// Prints the spec from the flags (SpecFromFlags) with every field's default
// and documentation (CommentedSpecText); `spec` names its type.
absl::Status PrintSpecFromFlags(const char* argv0,
                                const std::string& default_preset,
                                const std::vector<FieldFlag>& flags,
                                google::protobuf::Message* spec);

// --resume, made absolute; empty when not given.
std::string ResumeFlag();

// Whether any flag that shapes the spec was given (--spec, --set or one of
// `flags`).
bool AnySpecFlag(const std::vector<FieldFlag>& flags);

// The spec from --spec, or from `default_preset` among the runfiles of the
// binary started as `argv0`, with `flags` and --set applied, validated.
// `spec` holds what could be read even when there are problems.
absl::Status SpecFromFlags(const char* argv0, const std::string& default_preset,
                           const std::vector<FieldFlag>& flags,
                           google::protobuf::Message* spec,
                           SpecOrigins* origins);

// The checks of a new run, added to `problems`: its output directory
// (runtime->output_dir(), made absolute, runs/<timestamp> when empty) can be
// created, its device is there (CheckDeviceAvailable), and its data is
// found (data->path(), see data_location.h) in a format of its kind. Fills
// in both paths; `notice` says if the data fell back to Fashion-MNIST.
void CheckNewRun(const SpecOrigins& origins, DataSpec* data,
                 RuntimeSpec* runtime, Problems* problems, std::string* notice);

// Makes `from_flags`' data comparable with that of the run it resumes,
// `started`: a data folder the flags leave unsaid is the one the run found.
void AlignResumedData(const DataSpec& started, DataSpec* from_flags);

}  // namespace mdenas

#endif  // MDENAS_RUN_RUN_FLAGS_H_
