// //benchmarks:cifar10_table: the paper's CIFAR-10 table (Table 1) with this
// project's sizes and measured runs beside it. See table_main.h.
#include "benchmarks/table_main.h"

int main(int argc, char** argv) {
  return mdenas::TableMain(mdenas::PaperTable::kCifar10, argc, argv);
}
