#include "mdenas/space/nb201/table_test_util.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/test_fixtures.h"
#include "mdenas/base/file.h"
#include "mdenas/space/nb201/cell.h"
#include "mdenas/space/nb201/nb201_table.h"

namespace mdenas {

double FixtureCifar10Accuracy(int code) { return 50 + code / 1000.0; }
double FixtureCifar100Accuracy(int code) { return 10.0 * (code % 5); }

std::vector<std::string> Nb201FixtureTableLines() {
  std::vector<std::string> lines = {kNb201TableHeader};
  for (int code = 0; code < kNb201CellCount; ++code) {
    lines.push_back(absl::StrCat(kNb201CellCount - 1 - code, ",",
                                 FormatNb201Cell(Nb201CellOfCode(code)), ",",
                                 FixtureCifar10Accuracy(code), ",", FixtureCifar100Accuracy(code),
                                 ",30"));
  }
  return lines;
}

std::string WriteNb201FixtureTable(const std::string& name, const std::vector<std::string>& lines,
                                   const std::string& line_end) {
  const std::string path = JoinPath(std::getenv("TEST_TMPDIR"), name + ".csv");
  WriteTestFile(path, absl::StrCat(absl::StrJoin(lines, line_end), line_end));
  return path;
}

}  // namespace mdenas
