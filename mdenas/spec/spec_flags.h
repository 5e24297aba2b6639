// Command-line overrides of single spec fields, shared by the binaries:
// dedicated flags (--epochs=3 sets `epochs`) and the generic
// --set=optimizer.learning_rate=0.1,data.path=/data/cifar.

#ifndef MDENAS_SPEC_SPEC_FLAGS_H_
#define MDENAS_SPEC_SPEC_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {

// A flag that sets one field when the user gives it.
struct FieldFlag {
  std::string flag;        // As the user types it, e.g. "--epochs".
  std::string field_path;  // Dotted, e.g. "epochs".
  std::string value;       // Empty when the flag was not given.
};

// Applies the given `flags`, then the comma-separated `path=value` pairs of
// `set_flag` (the --set flag). Reports every bad flag at once.
absl::Status ApplyFieldFlags(const std::vector<FieldFlag>& flags,
                             absl::string_view set_flag,
                             google::protobuf::Message* spec,
                             SpecOrigins* origins);

// The spec a binary runs: the text-format file at `path`, then `flags` and
// `set_flag` applied, then validated (spec_validation.h). Reports the
// problems of all three steps together; `spec` holds what could be read.
absl::Status LoadSpecWithFlags(const std::string& path,
                               const std::vector<FieldFlag>& flags,
                               absl::string_view set_flag,
                               google::protobuf::Message* spec,
                               SpecOrigins* origins);

}  // namespace mdenas

#endif  // MDENAS_SPEC_SPEC_FLAGS_H_
