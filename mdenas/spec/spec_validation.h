// Checks the values of an experiment spec before any work starts.

#ifndef MDENAS_SPEC_SPEC_VALIDATION_H_
#define MDENAS_SPEC_SPEC_VALIDATION_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {

// The CUDA device index that a runtime.device value names ("cuda" is 0,
// "cuda:<index>" is index), or nullopt where it names none ("cpu", or a
// value that is no device).
std::optional<int> CudaDeviceIndex(absl::string_view device);

// Checks every numeric field of `spec`, recursively, against its
// (mdenas.range) annotation in the .proto, and the rules that relate fields
// (e.g. learning_rate_min <= learning_rate). Reports all problems at once,
// one per line, each prefixed with where the value was set.
absl::Status ValidateSpec(const google::protobuf::Message& spec,
                          const SpecOrigins& origins);

}  // namespace mdenas

#endif  // MDENAS_SPEC_SPEC_VALIDATION_H_
