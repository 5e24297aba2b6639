// The command line of //benchmarks:cifar10_table and :imagenet_table.

#ifndef MDENAS_BENCHMARKS_TABLE_COMMAND_H_
#define MDENAS_BENCHMARKS_TABLE_COMMAND_H_

#include "benchmarks/paper_table.h"

namespace mdenas {

// Prints `table` as Markdown (the paper's rows, this code's sizes of the
// published genotypes, and a row per --runs result) and writes it as JSON
// to --json_out; --quick (CIFAR-10 only) first runs the CPU-scale pipeline
// and adds its rows. Returns the process exit code.
int TableMain(PaperTable table, int argc, char** argv);

}  // namespace mdenas

#endif  // MDENAS_BENCHMARKS_TABLE_COMMAND_H_
