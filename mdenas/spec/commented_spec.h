// Experiment specs in text format with the documentation of every field:
// the comment above its declaration in the .proto, which states its default,
// unit and range. What --print_spec shows (mdenas/run/run_flags.h).
//
// The descriptors compiled into the generated code carry no comments; they
// come from a descriptor set that protoc writes with its source info
// (//mdenas/proto:spec_descriptors), which this library carries as a data
// file for the binaries that use it.
//
//   MDENAS_ASSIGN_OR_RETURN(auto documented, LoadSpecDescriptors(argv0));
//   MDENAS_ASSIGN_OR_RETURN(std::string text,
//                           CommentedSpecText(spec, *documented));

#ifndef MDENAS_SPEC_COMMENTED_SPEC_H_
#define MDENAS_SPEC_COMMENTED_SPEC_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace mdenas {

// The descriptors, with comments, of the spec messages (SearchSpec,
// EvalSpec and all they hold) and of the files they import, found among
// the runfiles of the binary started as `argv0` (null in tests).
absl::StatusOr<std::unique_ptr<google::protobuf::DescriptorPool>>
LoadSpecDescriptors(const char* argv0);

// `spec` with its defaults filled in (FillDefaults, spec_loader.h), in text
// format, each field preceded by the comment of its declaration in
// `documented` (descriptors of the same .proto files with their comments,
// such as LoadSpecDescriptors gives) as "# " lines. A field declared without
// a comment shows its message type's; an enum field also lists the enum's
// values. Of a oneof, only the member that is set appears. The text parses
// back to the resolved spec. Fails if `documented` lacks one of its fields.
absl::StatusOr<std::string> CommentedSpecText(
    const google::protobuf::Message& spec,
    const google::protobuf::DescriptorPool& documented);

}  // namespace mdenas

#endif  // MDENAS_SPEC_COMMENTED_SPEC_H_
