#include "mdenas/space/spaces.h"

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/space/darts/darts_space.h"
#include "mdenas/space/mobile/mobile_space.h"
#include "mdenas/space/nb201/nb201_space.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

using Factory =
    std::function<absl::StatusOr<std::unique_ptr<SearchSpace>>(const SearchSpaceSpec&)>;

// By the name of the spec members that select them.
const std::map<std::string, Factory>& Registry() {
  static const auto* const registry = new std::map<std::string, Factory>{
      {"darts",
       [](const SearchSpaceSpec& spec) -> absl::StatusOr<std::unique_ptr<SearchSpace>> {
         return std::make_unique<DartsSpace>(spec.darts());
       }},
      {"mobile",
       [](const SearchSpaceSpec& spec) -> absl::StatusOr<std::unique_ptr<SearchSpace>> {
         return MobileSpace::Create(spec.mobile());
       }},
      {"nb201",
       [](const SearchSpaceSpec& spec) -> absl::StatusOr<std::unique_ptr<SearchSpace>> {
         return Nb201Space::Create(spec.nb201());
       }},
  };
  return *registry;
}

// The name of the member of `spec`'s oneof `space` that is set, once
// defaults are filled in.
template <typename Spec>
std::string SelectedName(Spec spec) {
  FillDefaults(&spec);
  const google::protobuf::Reflection* reflection = spec.GetReflection();
  const google::protobuf::OneofDescriptor* oneof =
      spec.GetDescriptor()->FindOneofByName("space");
  const google::protobuf::FieldDescriptor* field =
      reflection->GetOneofFieldDescriptor(spec, oneof);
  return field == nullptr ? "" : field->name();
}

}  // namespace

std::vector<std::string> SearchSpaceNames() {
  std::vector<std::string> names;
  for (const auto& entry : Registry()) names.push_back(entry.first);
  return names;
}

absl::StatusOr<std::unique_ptr<SearchSpace>> MakeSearchSpace(const SearchSpaceSpec& spec) {
  const std::string name = SelectedName(spec);
  const auto it = Registry().find(name);
  if (it == Registry().end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no search space '", name, "'; spaces: ", absl::StrJoin(SearchSpaceNames(), ", ")));
  }
  SearchSpaceSpec resolved = spec;
  FillDefaults(&resolved);
  return it->second(resolved);
}

absl::StatusOr<std::unique_ptr<SearchSpace>> SearchSpaceOf(const NetworkSpec& spec) {
  SearchSpaceSpec search;
  MDENAS_RETURN_IF_ERROR(SelectSpace(SelectedName(spec), &search));
  return MakeSearchSpace(search);
}

absl::Status SelectSpace(absl::string_view name, google::protobuf::Message* spec) {
  const google::protobuf::FieldDescriptor* field =
      spec->GetDescriptor()->FindFieldByName(std::string(name));
  if (Registry().count(std::string(name)) == 0 || field == nullptr ||
      field->containing_oneof() == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no search space '", name, "'; spaces: ", absl::StrJoin(SearchSpaceNames(), ", ")));
  }
  spec->GetReflection()->MutableMessage(spec, field);
  return absl::OkStatus();
}

}  // namespace mdenas
