// //benchmarks:cifar10_table: the paper's CIFAR-10 table (Table 1) with this
// project's sizes and measured runs beside it. See table_command.h.
#include "benchmarks/table_command.h"

int main(int argc, char** argv) {
  return mdenas::TableMain(mdenas::PaperTable::kCifar10, argc, argv);
}
