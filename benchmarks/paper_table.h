// The paper's result tables (MDENAS_SPEC.md §3.2 and §3.3), with rows this
// project computes or measures beside them: for a published genotype, the
// parameters and MACs of its evaluation network as this code builds it; for
// a search or retraining run, what its result.json says.

#ifndef MDENAS_BENCHMARKS_PAPER_TABLE_H_
#define MDENAS_BENCHMARKS_PAPER_TABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmarks/table.pb.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

enum class PaperTable {
  // Table 1: CIFAR-10, test error, 20 cells of 36 channels.
  kCifar10,
  // Table 2: CIFAR cells transferred to ImageNet, 14 cells of 48 channels.
  kImageNet,
};

// The paper's rows, as arXiv v1 prints them, with the notes that qualify
// them.
Table PaperRows(PaperTable table);

// The DARTS network of `table` for a genotype: CIFAR's 20x36, or ImageNet's
// 14x48, with BN after pooling as `pool_bn`.
NetworkSpec TableNetwork(PaperTable table, bool pool_bn);

// What `table`'s networks take: 32x32 images of 10 classes, or 224x224 of
// 1000.
NetworkInputs TableInputs(PaperTable table);

// Parameters and MACs of a built-in genotype in `table`'s network.
absl::StatusOr<TableRow> ComputedRow(PaperTable table,
                                     const std::string& genotype_name,
                                     bool pool_bn);

// The row of the run whose result.json is `path` (or a run directory that
// holds one). A retraining of a search's run directory carries that
// search's cost.
absl::StatusOr<TableRow> MeasuredRow(PaperTable table, const std::string& path);

// The table as Markdown, for the terminal.
std::string Markdown(PaperTable table, const Table& rows);

// The table as JSON.
std::string Json(const Table& rows);

}  // namespace mdenas

#endif  // MDENAS_BENCHMARKS_PAPER_TABLE_H_
