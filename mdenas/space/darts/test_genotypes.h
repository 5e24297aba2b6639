// Genotypes the DARTS space's tests share.

#ifndef MDENAS_SPACE_DARTS_TEST_GENOTYPES_H_
#define MDENAS_SPACE_DARTS_TEST_GENOTYPES_H_

namespace mdenas {

// Every operation kind; the reduction cell's skip_connect from a cell
// input is a FactorizedReduce.
inline constexpr char kEveryOperationGenotype[] =
    "Genotype(normal=[('sep_conv_3x3', 0), ('dil_conv_5x5', 1), ('sep_conv_5x5', 0), "
    "('skip_connect', 2), ('dil_conv_3x3', 1), ('avg_pool_3x3', 3), ('max_pool_3x3', 0), "
    "('sep_conv_3x3', 4)], normal_concat=[2, 3, 4, 5], "
    "reduce=[('skip_connect', 0), ('sep_conv_3x3', 1), ('max_pool_3x3', 0), ('dil_conv_3x3', 2), "
    "('avg_pool_3x3', 1), ('skip_connect', 2), ('sep_conv_5x5', 3), ('dil_conv_5x5', 0)], "
    "reduce_concat=[2, 3, 4, 5])";

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_TEST_GENOTYPES_H_
