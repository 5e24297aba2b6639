#include "mdenas/space/nb201/nb201_table.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/space/nb201/cell.h"
#include "mdenas/space/nb201/table_test_util.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// The error of reading the fixture table with `change` made to its lines.
std::string ReadError(const std::string& name,
                      const std::function<void(std::vector<std::string>*)>& change) {
  std::vector<std::string> lines = Nb201FixtureTableLines();
  change(&lines);
  const absl::StatusOr<Nb201Table> table = Nb201Table::Read(WriteNb201FixtureTable(name, lines));
  EXPECT_FALSE(table.ok()) << name;
  return Message(table.status());
}

// Line numbers count the header as line 1: the cell of code c is on line c + 2.
TEST(Nb201TableTest, LooksUpAccuraciesAndPercentiles) {
  // CR LF line ends, as in the published file.
  const absl::StatusOr<Nb201Table> table =
      Nb201Table::Read(WriteNb201FixtureTable("good", Nb201FixtureTableLines(), "\r\n"));
  ASSERT_TRUE(table.ok()) << table.status();
  const int code = 9999;
  const absl::StatusOr<Nb201Record> record = table->Lookup(FormatNb201Cell(Nb201CellOfCode(code)));
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->arch_index, kNb201CellCount - 1 - code);
  EXPECT_DOUBLE_EQ(record->cifar10.test_accuracy, 59.999);
  EXPECT_DOUBLE_EQ(record->cifar100.test_accuracy, 40);
  EXPECT_DOUBLE_EQ(record->imagenet16_120.test_accuracy, 30);
  // 10,000 of the 15,625 CIFAR-10 accuracies are at most 59.999: 64 %.
  EXPECT_DOUBLE_EQ(record->cifar10.percentile, 64);
  // 40 is the highest CIFAR-100 value: every architecture is at most it.
  EXPECT_DOUBLE_EQ(record->cifar100.percentile, 100);
  EXPECT_DOUBLE_EQ(record->imagenet16_120.percentile, 100);

  // Code 0 is the worst on CIFAR-10 (1 of 15,625) and ties with a fifth of
  // the architectures at the lowest CIFAR-100 value 0 (3,125 of 15,625).
  const absl::StatusOr<Nb201Record> worst =
      table->Lookup("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  ASSERT_TRUE(worst.ok());
  EXPECT_DOUBLE_EQ(worst->cifar10.percentile, 100.0 / 15625);
  EXPECT_DOUBLE_EQ(worst->cifar100.percentile, 20);

  EXPECT_THAT(Message(table->Lookup("|none~0|").status()),
              HasSubstr("has 1 nodes separated by '+'"));
}

TEST(Nb201TableTest, RejectsAMissingFile) {
  const std::string path = JoinPath(std::getenv("TEST_TMPDIR"), "absent.csv");
  const absl::StatusOr<Nb201Table> table = Nb201Table::Read(path);
  EXPECT_EQ(table.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(table.status()), HasSubstr("NAS-Bench-201 table: "));
  EXPECT_THAT(Message(table.status()), HasSubstr(path));
}

TEST(Nb201TableTest, RejectsABadHeader) {
  EXPECT_THAT(ReadError("header", [](auto* lines) { (*lines)[0] = "arch_index,arch_string,acc"; }),
              HasSubstr("header.csv, line 1: expected the header 'arch_index,arch_string,"
                        "cifar10_test_acc,cifar100_test_acc,imagenet16_120_test_acc', found "
                        "'arch_index,arch_string,acc'"));
  EXPECT_THAT(ReadError("empty", [](auto* lines) { lines->clear(); }),
              HasSubstr("empty.csv, line 1: expected the header"));
}

TEST(Nb201TableTest, RejectsAWrongOperationName) {
  EXPECT_THAT(ReadError("operation",
                        [](auto* lines) {
                          (*lines)[3] = "7,|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|,1,2,3";
                        }),
              HasSubstr("operation.csv, line 4, field arch_string: NAS-Bench-201 "
                        "architecture '|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|': node 1, "
                        "edge 1 'conv~0': unknown operation 'conv'"));
}

TEST(Nb201TableTest, RejectsAMalformedString) {
  EXPECT_THAT(ReadError("malformed",
                        [](auto* lines) {
                          (*lines)[5] = "7,|none~0|+|none~0|none~1|+|none~0|none~1|,1,2,3";
                        }),
              HasSubstr("malformed.csv, line 6, field arch_string: NAS-Bench-201 architecture "
                        "'|none~0|+|none~0|none~1|+|none~0|none~1|': node 3 has 2 edges, "
                        "expected 3"));
}

TEST(Nb201TableTest, RejectsNonNumbers) {
  EXPECT_THAT(ReadError("accuracy",
                        [](auto* lines) {
                          (*lines)[2] =
                              "7,|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|,1,n/a,3";
                        }),
              HasSubstr("accuracy.csv, line 3, field cifar100_test_acc: 'n/a' is not an accuracy "
                        "in percent (0..100)"));
  EXPECT_THAT(ReadError("range",
                        [](auto* lines) {
                          (*lines)[2] =
                              "7,|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|,1,2,300";
                        }),
              HasSubstr("range.csv, line 3, field imagenet16_120_test_acc: '300' is not"));
  EXPECT_THAT(ReadError("index",
                        [](auto* lines) {
                          (*lines)[2] =
                              "x7,|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|,1,2,3";
                        }),
              HasSubstr("index.csv, line 3, field arch_index: 'x7' is not a non-negative "
                        "integer"));
  EXPECT_THAT(ReadError("fields", [](auto* lines) { (*lines)[2] += ",4"; }),
              HasSubstr("fields.csv, line 3: expected 5 fields, found 6"));
}

TEST(Nb201TableTest, RejectsDuplicateArchitectures) {
  EXPECT_THAT(ReadError("duplicate",
                        [](auto* lines) {
                          (*lines)[10] =
                              absl::StrCat("9,", FormatNb201Cell(Nb201CellOfCode(2)), ",1,2,3");
                        }),
              HasSubstr("duplicate.csv, line 11, field arch_string: architecture "
                        "'|none~0|+|none~0|none~1|+|none~0|none~1|nor_conv_1x1~2|' is also on "
                        "line 4"));
}

TEST(Nb201TableTest, RejectsMissingArchitectures) {
  EXPECT_THAT(ReadError("missing",
                        [](auto* lines) {
                          lines->erase(lines->begin() + 2);  // code 1
                          lines->pop_back();                 // the last code
                        }),
              HasSubstr("missing.csv: holds 15623 of the 15625 architectures; missing 2, the "
                        "first '|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|'"));
}

// The published table (the data README's facts), where the shared data is.
TEST(Nb201TableTest, ReadsThePublishedTable) {
  const std::string path = SharedDataPath("nb201/nb201_accuracy.csv");
  if (path.empty()) GTEST_SKIP() << kNoSharedData;
  const absl::StatusOr<Nb201Table> table = Nb201Table::Read(path);
  ASSERT_TRUE(table.ok()) << table.status();
  double sum = 0, best = 0;
  int reach_93_5 = 0;
  for (int code = 0; code < kNb201CellCount; ++code) {
    const Nb201Record record = *table->Lookup(FormatNb201Cell(Nb201CellOfCode(code)));
    sum += record.cifar10.test_accuracy;
    best = std::max(best, record.cifar10.test_accuracy);
    if (record.cifar10.test_accuracy >= 93.5) ++reach_93_5;
  }
  EXPECT_NEAR(sum / kNb201CellCount, 87.06, 0.005);
  EXPECT_NEAR(best, 94.37, 0.005);
  // 2.6 % of the architectures reach 93.5.
  EXPECT_NEAR(100.0 * reach_93_5 / kNb201CellCount, 2.6, 0.05);

  const absl::StatusOr<Nb201Record> all_skip = table->Lookup(
      "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|"
      "skip_connect~2|");
  ASSERT_TRUE(all_skip.ok());
  EXPECT_NEAR(all_skip->cifar10.test_accuracy, 54.30, 0.005);
  // One of the two best on CIFAR-10.
  const absl::StatusOr<Nb201Record> top = table->Lookup(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "nor_conv_1x1~2|");
  ASSERT_TRUE(top.ok());
  EXPECT_NEAR(top->cifar10.test_accuracy, 94.37, 0.005);
  EXPECT_DOUBLE_EQ(top->cifar10.percentile, 100);
}

}  // namespace
}  // namespace mdenas
