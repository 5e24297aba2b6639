// A NAS-Bench-201 accuracy table for tests: a row for every cell of the
// space, each accuracy following from the cell's code (cell.h), so that a
// test knows every value and percentile without the real table.
//   CIFAR-10: 50 + code / 1000, all distinct;
//   CIFAR-100: 10 * (code % 5), each value 3,125 times;
//   ImageNet16-120: 30 for all.
// arch_index is 15624 - code, so it differs from the code.

#ifndef MDENAS_SPACE_NB201_TABLE_TEST_UTIL_H_
#define MDENAS_SPACE_NB201_TABLE_TEST_UTIL_H_

#include <string>
#include <vector>

namespace mdenas {

double FixtureCifar10Accuracy(int code);
double FixtureCifar100Accuracy(int code);

// The header, then a row per cell in the order of their codes.
std::vector<std::string> Nb201FixtureTableLines();

// Writes `lines`, each followed by `line_end`, as $TEST_TMPDIR/<name>.csv;
// returns its path.
std::string WriteNb201FixtureTable(const std::string& name, const std::vector<std::string>& lines,
                                   const std::string& line_end = "\n");

}  // namespace mdenas

#endif  // MDENAS_SPACE_NB201_TABLE_TEST_UTIL_H_
