#include "mdenas/base/json.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace mdenas {

absl::StatusOr<std::string> ProtoJson(const google::protobuf::Message& message, bool indent) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = indent;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat(message.GetTypeName(),
                                            " does not convert to JSON: ", status.ToString()));
  }
  return json;
}

}  // namespace mdenas
