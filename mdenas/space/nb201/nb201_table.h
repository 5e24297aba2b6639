// NAS-Bench-201's ground truth: the table of every cell's test accuracy
// after the benchmark's 200 epochs of training (../shared/data/nb201/
// nb201_accuracy.csv, see the data README), read and checked whole, and
// looked up by architecture string.
//
//   MDENAS_ASSIGN_OR_RETURN(const Nb201Table table, Nb201Table::Read(path));
//   MDENAS_ASSIGN_OR_RETURN(const Nb201Record found, table.Lookup(architecture.text));
//   // found.cifar10.test_accuracy: 93.76; found.cifar10.percentile: 95.3

#ifndef MDENAS_SPACE_NB201_NB201_TABLE_H_
#define MDENAS_SPACE_NB201_NB201_TABLE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mdenas {

// The header the table must have, in this order.
inline constexpr char kNb201TableHeader[] =
    "arch_index,arch_string,cifar10_test_acc,cifar100_test_acc,imagenet16_120_test_acc";

// An architecture's standing on one data set.
struct Nb201Accuracy {
  // Test accuracy, percent.
  double test_accuracy = 0;
  // The percentage of all architectures of the table whose test accuracy on
  // this data set is at most this one's: 100 for the best, and the same for
  // architectures that tie.
  double percentile = 0;
};

struct Nb201Record {
  // The benchmark's index of the architecture (the table's arch_index).
  int arch_index = 0;
  Nb201Accuracy cifar10;
  Nb201Accuracy cifar100;
  Nb201Accuracy imagenet16_120;
};

class Nb201Table {
 public:
  // The table in the CSV file at `path`: kNb201TableHeader, then one row
  // per architecture of the space, every one of the 5^6 exactly once, in
  // any order. Errors name the file, the line and the field.
  static absl::StatusOr<Nb201Table> Read(const std::string& path);

  // The record of the architecture `text` writes (the space's text form).
  absl::StatusOr<Nb201Record> Lookup(absl::string_view text) const;

 private:
  // Indexed by Nb201CellCode (cell.h).
  explicit Nb201Table(std::vector<Nb201Record> records) : records_(std::move(records)) {}

  std::vector<Nb201Record> records_;
};

}  // namespace mdenas

#endif  // MDENAS_SPACE_NB201_NB201_TABLE_H_
