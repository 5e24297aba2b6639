#include "mdenas/spec/commented_spec.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::DescriptorPool;
using ::google::protobuf::EnumDescriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;
using ::google::protobuf::SourceLocation;

// The runfile that //mdenas/proto:spec_descriptors writes.
constexpr char kSpecDescriptors[] = "mdenas/proto/spec_descriptors.desc";

// The comment above a declaration, or after it where there is none above.
template <typename DescriptorT>
std::string CommentOf(const DescriptorT& descriptor) {
  SourceLocation location;
  if (!descriptor.GetSourceLocation(&location)) return "";
  return location.leading_comments.empty() ? location.trailing_comments
                                           : location.leading_comments;
}

// The comment of `field`, from its declaration in `documented`.
absl::StatusOr<std::string> FieldComment(const FieldDescriptor& field,
                                         const DescriptorPool& documented) {
  const FieldDescriptor* declared = documented.FindFieldByName(field.full_name());
  if (declared == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "the documented descriptors have no field ", field.full_name()));
  }
  std::string comment = CommentOf(*declared);
  if (comment.empty() && declared->message_type() != nullptr) {
    comment = CommentOf(*declared->message_type());
  }
  if (declared->enum_type() != nullptr) {
    const EnumDescriptor& values = *declared->enum_type();
    std::vector<std::string> names;
    for (int i = 0; i < values.value_count(); ++i) {
      names.push_back(values.value(i)->name());
    }
    absl::StrAppend(&comment, " One of: ", absl::StrJoin(names, ", "), ".\n");
  }
  return comment;
}

// Appends `comment` as lines "<indent># ...".
void AppendComment(absl::string_view comment, const std::string& indent,
                   std::string* out) {
  comment = absl::StripTrailingAsciiWhitespace(comment);
  if (comment.empty()) return;
  for (absl::string_view line : absl::StrSplit(comment, '\n')) {
    line = absl::StripTrailingAsciiWhitespace(line);
    absl::StrAppend(out, indent, "#",
                    line.empty() || line.front() == ' ' ? "" : " ", line, "\n");
  }
}

// Appends the fields `message` sets, in the order of their declaration,
// indented by `depth` levels.
absl::Status AppendFields(const Message& message,
                          const DescriptorPool& documented, int depth,
                          std::string* out) {
  const std::string indent(2 * depth, ' ');
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  google::protobuf::TextFormat::Printer printer;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const int count = field->is_repeated()
                          ? reflection->FieldSize(message, field)
                          : (reflection->HasField(message, field) ? 1 : 0);
    if (count == 0) continue;
    MDENAS_ASSIGN_OR_RETURN(const std::string comment,
                            FieldComment(*field, documented));
    AppendComment(comment, indent, out);
    for (int index = 0; index < count; ++index) {
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        absl::StrAppend(out, indent, field->name(), " {\n");
        MDENAS_RETURN_IF_ERROR(AppendFields(
            field->is_repeated()
                ? reflection->GetRepeatedMessage(message, field, index)
                : reflection->GetMessage(message, field),
            documented, depth + 1, out));
        absl::StrAppend(out, indent, "}\n");
      } else {
        std::string value;
        printer.PrintFieldValueToString(
            message, field, field->is_repeated() ? index : -1, &value);
        absl::StrAppend(out, indent, field->name(), ": ", value, "\n");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<DescriptorPool>> LoadSpecDescriptors(
    const char* argv0) {
  MDENAS_ASSIGN_OR_RETURN(const std::string path,
                          RunfilePath(argv0, kSpecDescriptors));
  MDENAS_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  google::protobuf::FileDescriptorSet files;
  if (!files.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a FileDescriptorSet"));
  }
  auto pool = std::make_unique<DescriptorPool>();
  // protoc lists every file after those it imports.
  for (const google::protobuf::FileDescriptorProto& file : files.file()) {
    if (pool->BuildFile(file) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": cannot build the descriptors of ", file.name()));
    }
  }
  return pool;
}

absl::StatusOr<std::string> CommentedSpecText(const Message& spec,
                                              const DescriptorPool& documented) {
  std::unique_ptr<Message> resolved(spec.New());
  resolved->CopyFrom(spec);
  FillDefaults(resolved.get());
  std::string text;
  MDENAS_RETURN_IF_ERROR(AppendFields(*resolved, documented, 0, &text));
  return text;
}

}  // namespace mdenas
