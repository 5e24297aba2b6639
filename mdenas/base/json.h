// A protobuf message as the JSON every output of the project is written in
// (result.json, the benchmarks' and studies' JSON): protobuf's JSON form
// with the .proto's field names.

#ifndef MDENAS_BASE_JSON_H_
#define MDENAS_BASE_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace mdenas {

// `message` as JSON, indented, or on one line when `indent` is false.
absl::StatusOr<std::string> ProtoJson(const google::protobuf::Message& message,
                                      bool indent = true);

}  // namespace mdenas

#endif  // MDENAS_BASE_JSON_H_
