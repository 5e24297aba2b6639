#include "mdenas/spec/spec_loader.h"

#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "mdenas/base/file.h"
#include "mdenas/proto/field_options.pb.h"

namespace mdenas {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;
using ::google::protobuf::TextFormat;
namespace io = ::google::protobuf::io;

// Keeps the first parse error (the parser stops there anyway).
class FirstErrorCollector : public io::ErrorCollector {
 public:
  void AddError(int line, io::ColumnNumber column,
                const std::string& message) override {
    if (has_error_) return;
    has_error_ = true;
    line_ = line;
    column_ = column;
    message_ = message;
  }

  bool has_error() const { return has_error_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  bool has_error_ = false;
  int line_ = 0;
  int column_ = 0;
  std::string message_;
};

class IgnoreErrors : public io::ErrorCollector {
 public:
  void AddError(int, io::ColumnNumber, const std::string&) override {}
};

// The dotted path of the field whose name or value is at (line, column) of
// `text`, both 0-based: the nested message names enclosing that position and
// the last field name at or before it. Empty if there is none.
std::string FieldPathAt(absl::string_view text, int line, int column) {
  io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  IgnoreErrors ignore;
  io::Tokenizer tokenizer(&input, &ignore);
  tokenizer.set_comment_style(io::Tokenizer::SH_COMMENT_STYLE);
  std::vector<std::string> scopes;
  std::string field;
  std::string previous;  // Text of the previous token.
  int list_depth = 0;    // Inside [...], identifiers are values.
  while (tokenizer.Next()) {
    const io::Tokenizer::Token& token = tokenizer.current();
    // Stop past the error, and at a closing brace the error points at (a
    // missing value is reported at the token after it).
    const bool at_error = token.line == line && token.column == column;
    if (token.line > line || (token.line == line && token.column > column) ||
        (at_error && (token.text == "}" || token.text == ">"))) {
      break;
    }
    if (token.type == io::Tokenizer::TYPE_IDENTIFIER && previous != ":" &&
        list_depth == 0) {
      field = token.text;
    } else if (token.text == "[") {
      ++list_depth;
    } else if (token.text == "]") {
      list_depth = std::max(0, list_depth - 1);
    } else if (token.text == "{" || token.text == "<") {
      scopes.push_back(field);
      field.clear();
    } else if ((token.text == "}" || token.text == ">") && !scopes.empty()) {
      field = scopes.back();
      scopes.pop_back();
    }
    previous = token.text;
  }
  if (!field.empty()) scopes.push_back(field);
  return absl::StrJoin(scopes, ".");
}

// Records in `origins` the location of every field `tree` saw in `message`.
void RecordOrigins(const Message& message,
                   const TextFormat::ParseInfoTree& tree,
                   const std::string& source, const std::string& prefix,
                   SpecOrigins* origins) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const int index = field->is_repeated() ? 0 : -1;
    if (field->is_repeated() ? reflection->FieldSize(message, field) == 0
                             : !reflection->HasField(message, field)) {
      continue;
    }
    const TextFormat::ParseLocation location = tree.GetLocation(field, index);
    if (location.line < 0) continue;
    const std::string path = absl::StrCat(prefix, field->name());
    origins->Set(path, absl::StrCat(source, ":", location.line + 1, ":",
                                    location.column + 1));
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !field->is_repeated()) {
      const TextFormat::ParseInfoTree* nested =
          tree.GetTreeForNested(field, index);
      if (nested != nullptr) {
        RecordOrigins(reflection->GetMessage(message, field), *nested, source,
                      path + ".", origins);
      }
    }
  }
}

std::string FieldNames(const Descriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    names.push_back(descriptor->field(i)->name());
  }
  return absl::StrJoin(names, ", ");
}

}  // namespace

void SpecOrigins::Set(const std::string& field_path, std::string origin) {
  origins_[field_path] = std::move(origin);
}

std::string SpecOrigins::Find(absl::string_view field_path) const {
  while (true) {
    const auto it = origins_.find(field_path);
    if (it != origins_.end()) return it->second;
    const size_t dot = field_path.rfind('.');
    if (dot == absl::string_view::npos) return "";
    field_path = field_path.substr(0, dot);
  }
}

absl::Status ParseSpecText(absl::string_view text, const std::string& source,
                           Message* spec, SpecOrigins* origins) {
  TextFormat::Parser parser;
  FirstErrorCollector errors;
  TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (!parser.Parse(&input, spec) || errors.has_error()) {
    const std::string field =
        FieldPathAt(text, errors.line(), errors.column());
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", errors.line() + 1, ":", errors.column() + 1, ": ",
        field.empty() ? "" : absl::StrCat("field '", field, "': "),
        errors.message()));
  }
  RecordOrigins(*spec, tree, source, "", origins);
  return absl::OkStatus();
}

absl::Status LoadSpecFile(const std::string& path, Message* spec,
                          SpecOrigins* origins) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("spec file ", text.status().message()));
  }
  return ParseSpecText(*text, path, spec, origins);
}

absl::Status SetSpecField(absl::string_view field_path, absl::string_view value,
                          const std::string& origin, Message* spec,
                          SpecOrigins* origins) {
  Message* message = spec;
  const FieldDescriptor* field = nullptr;
  const std::vector<absl::string_view> names = absl::StrSplit(field_path, '.');
  for (size_t i = 0; i < names.size(); ++i) {
    const Descriptor* descriptor = message->GetDescriptor();
    field = descriptor->FindFieldByName(std::string(names[i]));
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          origin, ": ", descriptor->full_name(), " has no field '", names[i],
          "' (it has: ", FieldNames(descriptor), ")"));
    }
    if (i + 1 == names.size()) break;
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        field->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": field '", names[i], "' of ",
                       descriptor->full_name(), " has no fields of its own"));
    }
    message = message->GetReflection()->MutableMessage(message, field);
  }
  const Reflection* reflection = message->GetReflection();
  std::vector<std::string> values;
  if (field->is_repeated()) {
    reflection->ClearField(message, field);
    if (!value.empty()) values = absl::StrSplit(value, ',');
  } else {
    values.emplace_back(value);
  }
  for (std::string& item : values) {
    item = std::string(absl::StripAsciiWhitespace(item));
    // Strings may be given without the quotes text format wants.
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
        (item.empty() || item.front() != '"')) {
      item = absl::StrCat("\"", absl::CEscape(item), "\"");
    }
    TextFormat::Parser parser;
    FirstErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFieldValueFromString(item, field, message)) {
      return absl::InvalidArgumentError(absl::StrCat(
          origin, ": field '", field_path, "': cannot read '", item,
          "' as a value of type ", field->type_name(),
          field->enum_type() == nullptr
              ? ""
              : absl::StrCat(" ", field->enum_type()->full_name()),
          errors.has_error() ? absl::StrCat(" (", errors.message(), ")") : ""));
    }
  }
  origins->Set(std::string(field_path), origin);
  return absl::OkStatus();
}

void FillDefaults(Message* spec) {
  const Descriptor* descriptor = spec->GetDescriptor();
  const Reflection* reflection = spec->GetReflection();
  for (int i = 0; i < descriptor->oneof_decl_count(); ++i) {
    const google::protobuf::OneofDescriptor* oneof = descriptor->oneof_decl(i);
    if (reflection->HasOneof(*spec, oneof) ||
        !oneof->options().HasExtension(default_field)) {
      continue;
    }
    const FieldDescriptor* field = descriptor->FindFieldByName(
        oneof->options().GetExtension(default_field));
    if (field != nullptr && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      reflection->MutableMessage(spec, field);
    }
  }
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated()) continue;
    // Of a oneof, only the member that is set.
    if (field->containing_oneof() != nullptr && !reflection->HasField(*spec, field)) {
      continue;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        FillDefaults(reflection->MutableMessage(spec, field));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(spec, field, reflection->GetInt32(*spec, field));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(spec, field, reflection->GetInt64(*spec, field));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        reflection->SetUInt32(spec, field, reflection->GetUInt32(*spec, field));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        reflection->SetUInt64(spec, field, reflection->GetUInt64(*spec, field));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        reflection->SetDouble(spec, field, reflection->GetDouble(*spec, field));
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        reflection->SetFloat(spec, field, reflection->GetFloat(*spec, field));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(spec, field, reflection->GetBool(*spec, field));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        reflection->SetEnum(spec, field, reflection->GetEnum(*spec, field));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(spec, field, reflection->GetString(*spec, field));
        break;
    }
  }
}

std::string ResolvedSpecText(const Message& spec) {
  std::unique_ptr<Message> resolved(spec.New());
  resolved->CopyFrom(spec);
  FillDefaults(resolved.get());
  std::string text;
  TextFormat::PrintToString(*resolved, &text);
  return text;
}

bool SameRunSpec(const Message& a, const Message& b) {
  std::string bytes[2];
  const Message* specs[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    std::unique_ptr<Message> copy(specs[i]->New());
    copy->CopyFrom(*specs[i]);
    FillDefaults(copy.get());
    // The field path runtime.output_dir, where the message has it.
    const FieldDescriptor* runtime =
        copy->GetDescriptor()->FindFieldByName("runtime");
    if (runtime != nullptr &&
        runtime->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      Message* inner = copy->GetReflection()->MutableMessage(copy.get(), runtime);
      const FieldDescriptor* output_dir =
          inner->GetDescriptor()->FindFieldByName("output_dir");
      if (output_dir != nullptr) {
        inner->GetReflection()->ClearField(inner, output_dir);
      }
    }
    bytes[i] = copy->SerializeAsString();
  }
  return a.GetDescriptor() == b.GetDescriptor() && bytes[0] == bytes[1];
}

}  // namespace mdenas
