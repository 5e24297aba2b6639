// Checks the values of an experiment spec before any work starts.

#ifndef MDENAS_SPEC_SPEC_VALIDATION_H_
#define MDENAS_SPEC_SPEC_VALIDATION_H_

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {

// Checks every numeric field of `spec`, recursively, against its
// (mdenas.range) annotation in the .proto, and the rules that relate fields
// (e.g. learning_rate_min <= learning_rate). Reports all problems at once,
// one per line, each prefixed with where the value was set.
absl::Status ValidateSpec(const google::protobuf::Message& spec,
                          const SpecOrigins& origins);

}  // namespace mdenas

#endif  // MDENAS_SPEC_SPEC_VALIDATION_H_
