#include "mdenas/spec/spec_validation.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/field_options.pb.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

// One problem: the field it is about (dotted path from the spec's root) and
// what is wrong.
struct Problem {
  std::string field;
  std::string message;
};

bool IsNumeric(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return true;
    default:
      return false;
  }
}

// The value of numeric `field` (element `index` if repeated) as a double.
double NumericValue(const Message& message, const FieldDescriptor* field,
                    int index) {
  const Reflection* r = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return repeated ? r->GetRepeatedInt32(message, field, index)
                      : r->GetInt32(message, field);
    case FieldDescriptor::CPPTYPE_INT64:
      return static_cast<double>(repeated
                                     ? r->GetRepeatedInt64(message, field, index)
                                     : r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return repeated ? r->GetRepeatedUInt32(message, field, index)
                      : r->GetUInt32(message, field);
    case FieldDescriptor::CPPTYPE_UINT64:
      return static_cast<double>(
          repeated ? r->GetRepeatedUInt64(message, field, index)
                   : r->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return repeated ? r->GetRepeatedDouble(message, field, index)
                      : r->GetDouble(message, field);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return repeated ? r->GetRepeatedFloat(message, field, index)
                      : r->GetFloat(message, field);
    default:
      return 0;
  }
}

// "must be > 0 and <= 1" for `range`.
std::string Describe(const Range& range) {
  std::vector<std::string> bounds;
  if (range.has_min()) {
    bounds.push_back(
        absl::StrCat(range.min_exclusive() ? "> " : ">= ", range.min()));
  }
  if (range.has_max()) {
    bounds.push_back(
        absl::StrCat(range.max_exclusive() ? "< " : "<= ", range.max()));
  }
  return absl::StrCat("must be ", absl::StrJoin(bounds, " and "));
}

bool InRange(double value, const Range& range) {
  if (range.has_min() &&
      (range.min_exclusive() ? value <= range.min() : value < range.min())) {
    return false;
  }
  if (range.has_max() &&
      (range.max_exclusive() ? value >= range.max() : value > range.max())) {
    return false;
  }
  return true;
}

void CheckRanges(const Message& message, const std::string& prefix,
                 std::vector<Problem>* problems) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string path = absl::StrCat(prefix, field->name());
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
          CheckRanges(reflection->GetRepeatedMessage(message, field, j),
                      absl::StrCat(path, "[", j, "]."), problems);
        }
      } else {
        CheckRanges(reflection->GetMessage(message, field), path + ".",
                    problems);
      }
      continue;
    }
    if (!IsNumeric(field) || !field->options().HasExtension(range)) continue;
    const Range& bounds = field->options().GetExtension(range);
    const int count =
        field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    for (int j = 0; j < count; ++j) {
      const double value =
          NumericValue(message, field, field->is_repeated() ? j : -1);
      if (!InRange(value, bounds)) {
        problems->push_back({path, absl::StrCat(value, " is out of range: ",
                                                Describe(bounds))});
      }
    }
  }
}

void CheckOptimizer(const OptimizerSpec& optimizer, int batch_size, const std::string& prefix,
                    std::vector<Problem>* problems) {
  if (optimizer.micro_batches() > batch_size) {
    problems->push_back({prefix + "micro_batches",
                         absl::StrCat(optimizer.micro_batches(), " is more than batch_size (",
                                      batch_size, "): every micro-batch needs an image")});
  }
  if (optimizer.learning_rate_min() > optimizer.learning_rate()) {
    problems->push_back(
        {prefix + "learning_rate_min",
         absl::StrCat(optimizer.learning_rate_min(),
                      " is above learning_rate (", optimizer.learning_rate(),
                      "); the schedule anneals down to it")});
  }
}

void CheckRuntime(const RuntimeSpec& runtime, const std::string& prefix,
                  std::vector<Problem>* problems) {
  const std::optional<int> cuda = CudaDeviceIndex(runtime.device());
  const bool valid = runtime.device() == "cpu" || (cuda && *cuda >= 0);
  if (!valid) {
    problems->push_back(
        {prefix + "device",
         absl::StrCat("'", runtime.device(),
                      "' is not a device: use \"cpu\", \"cuda\" or "
                      "\"cuda:<index>\"")});
  }
  if (runtime.precision() == RuntimeSpec::BFLOAT16 &&
      runtime.kernels() == RuntimeSpec::FAST) {
    problems->push_back({prefix + "precision",
                         "bfloat16 autocast needs kernels: ATEN; the fast kernels "
                         "compute in float32"});
  }
}

void CheckSearch(const SearchSpec& spec, std::vector<Problem>* problems) {
  CheckOptimizer(spec.optimizer(), spec.batch_size(), "optimizer.", problems);
  CheckRuntime(spec.runtime(), "runtime.", problems);
  // Random candidates pick the architecture without a learned distribution
  // (RSPS), so there a learner that never updates is the point.
  if (spec.epochs() >= 1 && spec.learner().warmup_epochs() >= spec.epochs() &&
      spec.random_candidates() == 0) {
    problems->push_back(
        {"learner.warmup_epochs",
         absl::StrCat(spec.learner().warmup_epochs(),
                      " warm-up epochs leave none of the ", spec.epochs(),
                      " epochs to learn the distribution (random_candidates > 0 picks "
                      "the architecture without one)")});
  }
}

void CheckEval(const EvalSpec& spec, std::vector<Problem>* problems) {
  CheckOptimizer(spec.optimizer(), spec.batch_size(), "optimizer.", problems);
  CheckRuntime(spec.runtime(), "runtime.", problems);
  if (spec.architecture().empty()) {
    problems->push_back({"architecture", "is empty: name a built-in architecture, a "
                                     "file holding one or a search run directory"});
  }
}

}  // namespace

std::optional<int> CudaDeviceIndex(absl::string_view device) {
  int index = 0;
  if (device == "cuda" ||
      (absl::ConsumePrefix(&device, "cuda:") && absl::SimpleAtoi(device, &index))) {
    return index;
  }
  return std::nullopt;
}

absl::Status ValidateSpec(const Message& spec, const SpecOrigins& origins) {
  std::vector<Problem> problems;
  CheckRanges(spec, "", &problems);
  if (const auto* search = dynamic_cast<const SearchSpec*>(&spec)) {
    CheckSearch(*search, &problems);
  } else if (const auto* eval = dynamic_cast<const EvalSpec*>(&spec)) {
    CheckEval(*eval, &problems);
  }
  if (problems.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const Problem& problem : problems) {
    const std::string origin = origins.Find(problem.field);
    lines.push_back(absl::StrCat(origin.empty() ? "" : origin + ": ", "field '",
                                 problem.field, "': ", problem.message));
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

}  // namespace mdenas
