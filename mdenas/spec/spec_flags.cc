#include "mdenas/spec/spec_flags.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mdenas/base/problems.h"
#include "mdenas/spec/spec_validation.h"

namespace mdenas {

absl::Status ApplyFieldFlags(const std::vector<FieldFlag>& flags,
                             absl::string_view set_flag,
                             google::protobuf::Message* spec,
                             SpecOrigins* origins) {
  std::vector<std::string> problems;
  for (const FieldFlag& flag : flags) {
    if (flag.value.empty()) continue;
    const absl::Status status =
        SetSpecField(flag.field_path, flag.value, "flag " + flag.flag, spec,
                     origins);
    if (!status.ok()) problems.emplace_back(status.message());
  }
  for (absl::string_view pair : absl::StrSplit(set_flag, ',', absl::SkipEmpty())) {
    const std::vector<absl::string_view> parts =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty()) {
      problems.push_back(absl::StrCat("flag --set: '", pair,
                                      "' is not of the form field.path=value"));
      continue;
    }
    const absl::Status status =
        SetSpecField(parts[0], parts[1], "flag --set", spec, origins);
    if (!status.ok()) problems.emplace_back(status.message());
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
}

absl::Status LoadSpecWithFlags(const std::string& path,
                               const std::vector<FieldFlag>& flags,
                               absl::string_view set_flag,
                               google::protobuf::Message* spec,
                               SpecOrigins* origins) {
  Problems problems;
  const absl::Status loaded = LoadSpecFile(path, spec, origins);
  problems.Add(loaded);
  problems.Add(ApplyFieldFlags(flags, set_flag, spec, origins));
  // Values read from a file that failed to parse are not worth judging.
  if (loaded.ok()) problems.Add(ValidateSpec(*spec, *origins));
  return problems.ToStatus();
}

}  // namespace mdenas
