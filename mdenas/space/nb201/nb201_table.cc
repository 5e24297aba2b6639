#include "mdenas/space/nb201/nb201_table.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/space/nb201/cell.h"

namespace mdenas {
namespace {

constexpr int kFields = 5;
constexpr const char* kFieldNames[kFields] = {"arch_index", "arch_string", "cifar10_test_acc",
                                              "cifar100_test_acc", "imagenet16_120_test_acc"};

// Where a fault is: "NAS-Bench-201 table <path>, line <n>[, field <f>]: ".
std::string Where(const std::string& path, int line, int field = -1) {
  std::string where = absl::StrCat("NAS-Bench-201 table ", path, ", line ", line);
  if (field >= 0) absl::StrAppend(&where, ", field ", kFieldNames[field]);
  return absl::StrCat(where, ": ");
}

absl::StatusOr<double> ParseAccuracy(const std::string& path, int line, int field,
                                     absl::string_view text) {
  double accuracy = 0;
  if (!absl::SimpleAtod(text, &accuracy) || !std::isfinite(accuracy) || accuracy < 0 ||
      accuracy > 100) {
    return absl::InvalidArgumentError(absl::StrCat(Where(path, line, field), "'", text,
                                                   "' is not an accuracy in percent (0..100)"));
  }
  return accuracy;
}

// Sets each record's `member` percentile from the test accuracies.
void SetPercentiles(Nb201Accuracy Nb201Record::*member, std::vector<Nb201Record>* records) {
  std::vector<double> sorted;
  for (const Nb201Record& record : *records) sorted.push_back((record.*member).test_accuracy);
  std::sort(sorted.begin(), sorted.end());
  for (Nb201Record& record : *records) {
    Nb201Accuracy& accuracy = record.*member;
    const auto at_most =
        std::upper_bound(sorted.begin(), sorted.end(), accuracy.test_accuracy) - sorted.begin();
    accuracy.percentile = 100.0 * static_cast<double>(at_most) / sorted.size();
  }
}

}  // namespace

absl::StatusOr<Nb201Table> Nb201Table::Read(const std::string& path) {
  absl::StatusOr<std::string> contents = ReadFile(path);
  if (!contents.ok()) {
    return absl::Status(contents.status().code(),
                        absl::StrCat("NAS-Bench-201 table: ", contents.status().message()));
  }
  std::vector<absl::string_view> lines = absl::StrSplit(*contents, '\n');
  // A final line break leaves an empty last piece.
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  // The published file ends its lines with CR LF.
  for (absl::string_view& line : lines) absl::ConsumeSuffix(&line, "\r");
  if (lines.empty() || lines[0] != kNb201TableHeader) {
    return absl::InvalidArgumentError(absl::StrCat(Where(path, 1), "expected the header '",
                                                   kNb201TableHeader, "', found '",
                                                   lines.empty() ? "" : lines[0], "'"));
  }
  std::vector<Nb201Record> records(kNb201CellCount);
  // The line of each cell's row, 0 while none was read.
  std::vector<int> line_of(kNb201CellCount, 0);
  for (size_t i = 1; i < lines.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    const std::vector<absl::string_view> fields = absl::StrSplit(lines[i], ',');
    if (fields.size() != kFields) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, line), "expected ", kFields, " fields, found ", fields.size()));
    }
    Nb201Record record;
    if (!absl::SimpleAtoi(fields[0], &record.arch_index) || record.arch_index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, line, 0), "'", fields[0], "' is not a non-negative integer"));
    }
    const absl::StatusOr<Nb201Cell> cell = ParseNb201Cell(fields[1]);
    if (!cell.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, line, 1), cell.status().message()));
    }
    MDENAS_ASSIGN_OR_RETURN(record.cifar10.test_accuracy, ParseAccuracy(path, line, 2, fields[2]));
    MDENAS_ASSIGN_OR_RETURN(record.cifar100.test_accuracy, ParseAccuracy(path, line, 3, fields[3]));
    MDENAS_ASSIGN_OR_RETURN(record.imagenet16_120.test_accuracy,
                            ParseAccuracy(path, line, 4, fields[4]));
    const int code = Nb201CellCode(*cell);
    if (line_of[code] != 0) {
      return absl::InvalidArgumentError(absl::StrCat(Where(path, line, 1), "architecture '",
                                                     FormatNb201Cell(*cell), "' is also on line ",
                                                     line_of[code]));
    }
    line_of[code] = line;
    records[code] = record;
  }
  const int missing = static_cast<int>(std::count(line_of.begin(), line_of.end(), 0));
  if (missing > 0) {
    const int first =
        static_cast<int>(std::find(line_of.begin(), line_of.end(), 0) - line_of.begin());
    return absl::InvalidArgumentError(
        absl::StrCat("NAS-Bench-201 table ", path, ": holds ", kNb201CellCount - missing,
                     " of the ", kNb201CellCount, " architectures; missing ", missing,
                     ", the first '", FormatNb201Cell(Nb201CellOfCode(first)), "'"));
  }
  SetPercentiles(&Nb201Record::cifar10, &records);
  SetPercentiles(&Nb201Record::cifar100, &records);
  SetPercentiles(&Nb201Record::imagenet16_120, &records);
  return Nb201Table(std::move(records));
}

absl::StatusOr<Nb201Record> Nb201Table::Lookup(absl::string_view text) const {
  MDENAS_ASSIGN_OR_RETURN(const Nb201Cell cell, ParseNb201Cell(text));
  return records_[Nb201CellCode(cell)];
}

}  // namespace mdenas
