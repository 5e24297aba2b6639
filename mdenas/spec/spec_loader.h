// Loading experiment specs (SearchSpec, EvalSpec, ...) from protobuf text
// format, overriding single fields from flags, and printing the resolved spec.
// Every error names where the offending value came from: "file:line:col" for
// a spec file, the flag for an override.
//
//   SearchSpec spec;
//   SpecOrigins origins;
//   MDENAS_RETURN_IF_ERROR(LoadSpecFile(path, &spec, &origins));
//   MDENAS_RETURN_IF_ERROR(
//       SetSpecField("optimizer.learning_rate", "0.1", "--lr", &spec, &origins));
//   MDENAS_RETURN_IF_ERROR(ValidateSpec(spec, origins));  // spec_validation.h

#ifndef MDENAS_SPEC_SPEC_LOADER_H_
#define MDENAS_SPEC_SPEC_LOADER_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace mdenas {

// Where each field of a spec was set, by dotted field path
// ("optimizer.learning_rate"): "file.textproto:12:3" or "flag --lr".
// Fields left at their defaults have no entry.
class SpecOrigins {
 public:
  void Set(const std::string& field_path, std::string origin);
  // The origin of `field_path`, or of its nearest enclosing message that has
  // one; empty when the value is a default.
  std::string Find(absl::string_view field_path) const;

 private:
  std::map<std::string, std::string, std::less<>> origins_;
};

// Parses `text` in protobuf text format into `spec`, replacing what it held.
// `source` names the text in errors, usually its file path.
absl::Status ParseSpecText(absl::string_view text, const std::string& source,
                           google::protobuf::Message* spec,
                           SpecOrigins* origins);

// Reads the file at `path` and parses it with ParseSpecText.
absl::Status LoadSpecFile(const std::string& path,
                          google::protobuf::Message* spec,
                          SpecOrigins* origins);

// Sets the field at dotted `field_path` to `value`, written as in text format
// (a number, true/false, an enum name, a string with or without quotes). A
// repeated field is replaced by the comma-separated values. `origin` says
// where the value came from ("flag --epochs").
absl::Status SetSpecField(absl::string_view field_path, absl::string_view value,
                          const std::string& origin,
                          google::protobuf::Message* spec,
                          SpecOrigins* origins);

// Sets every unset singular field, recursively, to its default, so that the
// spec states every value the run used. A oneof that sets none of its
// members gets the one its (default_field) option names, if any
// (field_options.proto); the other members of a oneof stay unset.
void FillDefaults(google::protobuf::Message* spec);

// The spec in text format after FillDefaults: what a run directory records.
std::string ResolvedSpecText(const google::protobuf::Message& spec);

// Whether two specs of one type describe the same computation: equal once
// defaults are filled in, runtime.output_dir (which may move) aside. What a
// resumed run's spec must be to the one its checkpoint was written under.
bool SameRunSpec(const google::protobuf::Message& a,
                 const google::protobuf::Message& b);

}  // namespace mdenas

#endif  // MDENAS_SPEC_SPEC_LOADER_H_
