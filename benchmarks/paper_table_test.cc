#include "benchmarks/paper_table.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/space/darts/genotype.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

TEST(PaperTableTest, PaperRowsAreTheSpecs) {
  const Table cifar = PaperRows(PaperTable::kCifar10);
  EXPECT_EQ(cifar.rows_size(), 13);
  const TableRow& mdenas = cifar.rows(12);
  EXPECT_EQ(mdenas.method(), "MdeNAS");
  EXPECT_DOUBLE_EQ(mdenas.test_error(), 2.40);
  EXPECT_DOUBLE_EQ(mdenas.params_millions(), 4.06);
  EXPECT_DOUBLE_EQ(mdenas.search_gpu_days(), 0.16);
  EXPECT_FALSE(cifar.rows(0).has_search_gpu_days());  // ResNet-18.
  const Table imagenet = PaperRows(PaperTable::kImageNet);
  EXPECT_EQ(imagenet.rows_size(), 10);
  EXPECT_DOUBLE_EQ(imagenet.rows(9).top5(), 92.1);
  EXPECT_FALSE(imagenet.rows(3).has_top5());  // ShuffleNetV2 2x.
}

TEST(PaperTableTest, ComputedRowsPrintDartsV2As335M) {
  const absl::StatusOr<TableRow> darts =
      ComputedRow(PaperTable::kCifar10, "DARTS_V2", false);
  ASSERT_TRUE(darts.ok());
  EXPECT_NEAR(darts->params_millions(), 3.349342, 1e-9);
  Table table;
  *table.add_rows() = *darts;
  EXPECT_THAT(Markdown(PaperTable::kCifar10, table),
              HasSubstr("| DARTS_V2 | - | 3.35 | 528 | - | - | computed"));
  const absl::StatusOr<TableRow> imagenet =
      ComputedRow(PaperTable::kImageNet, "MDENAS", true);
  ASSERT_TRUE(imagenet.ok());
  EXPECT_NEAR(imagenet->params_millions(), 5.329024, 1e-9);
}

TEST(PaperTableTest, MeasuredRowsFromResultFiles) {
  const std::string dir = JoinPath(std::getenv("TEST_TMPDIR"), "search");
  RunResult searched;
  searched.mutable_search_spec()->set_epochs(3);
  const absl::StatusOr<RunDirectory> search = RunDirectory::Create(dir, searched.search_spec());
  ASSERT_TRUE(search.ok());
  searched.set_device_hours(0.25);
  searched.set_device("cpu (2 threads)");
  searched.set_precision("float32");
  searched.set_protocol("MdeNAS search, 3 epochs");
  searched.set_space("darts");
  searched.set_architecture(FormatDartsGenotype(*BuiltinGenotype("MDENAS")));
  ASSERT_TRUE(search->WriteJson(kResultFile, searched).ok());

  const absl::StatusOr<TableRow> row = MeasuredRow(PaperTable::kCifar10, dir);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_DOUBLE_EQ(row->search_device_hours(), 0.25);
  EXPECT_EQ(row->precision(), "float32");
  EXPECT_NEAR(row->params_millions(), 3.786742, 1e-9);  // 20x36, pool BN.

  // A retraining of that search's run directory carries its cost.
  RunResult retrained;
  retrained.mutable_eval_spec()->set_architecture(dir);
  retrained.set_test_top1(91.5);
  retrained.set_parameters(1234567);
  retrained.set_protocol("retrained 10 epochs");
  retrained.set_device("cpu (2 threads)");
  retrained.set_precision("bfloat16 autocast");
  retrained.set_space("darts");
  retrained.set_architecture(searched.architecture());
  const std::string result = JoinPath(std::getenv("TEST_TMPDIR"), "result.json");
  ASSERT_TRUE(search->WriteJson("../result.json", retrained).ok());
  const absl::StatusOr<TableRow> eval = MeasuredRow(PaperTable::kCifar10, result);
  ASSERT_TRUE(eval.ok()) << eval.status();
  EXPECT_NEAR(eval->test_error(), 8.5, 1e-9);
  EXPECT_NEAR(eval->params_millions(), 1.234567, 1e-9);
  EXPECT_DOUBLE_EQ(eval->search_device_hours(), 0.25);
  EXPECT_EQ(eval->precision(), "float32 / bfloat16 autocast");
  EXPECT_THAT(eval->protocol(),
              HasSubstr("MdeNAS search, 3 epochs; retrained 10 epochs"));

  EXPECT_FALSE(MeasuredRow(PaperTable::kCifar10, "/nonexistent").ok());
  // The tables hold DARTS cells.
  retrained.set_space("another");
  ASSERT_TRUE(search->WriteJson("../result.json", retrained).ok());
  EXPECT_THAT(std::string(MeasuredRow(PaperTable::kCifar10, result).status().message()),
              HasSubstr("the paper's tables hold DARTS cells"));
}

}  // namespace
}  // namespace mdenas
