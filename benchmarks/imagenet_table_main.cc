// //benchmarks:imagenet_table: the paper's ImageNet transfer table (Table 2)
// with this project's sizes and measured runs beside it. See table_command.h.
#include "benchmarks/table_command.h"

int main(int argc, char** argv) {
  return mdenas::TableMain(mdenas::PaperTable::kImageNet, argc, argv);
}
