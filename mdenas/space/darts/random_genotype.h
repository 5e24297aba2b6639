// Architectures drawn uniformly from the DARTS space, the baseline of the
// paper tables ("random sample") and the population of the ranking study:
// each intermediate node takes two distinct inputs drawn uniformly from the
// nodes before it, each with an operation drawn uniformly from those other
// than `none`.

#ifndef MDENAS_SPACE_DARTS_RANDOM_GENOTYPE_H_
#define MDENAS_SPACE_DARTS_RANDOM_GENOTYPE_H_

#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mdenas/space/darts/genotype.h"

namespace mdenas {

// A genotype of `nodes` intermediate nodes per cell over `operations`.
Genotype SampleGenotype(const std::vector<std::string>& operations, int nodes,
                        std::mt19937_64* rng);

// The supernet path (one operation index per edge, normal cell first) that
// computes `genotype`: its edges carry their operations, every other edge
// `none`. Fails if a node takes two edges from one input, which a path
// cannot hold, or `operations` lacks `none` or an operation of the genotype.
absl::StatusOr<std::vector<int>> GenotypePath(
    const Genotype& genotype, const std::vector<std::string>& operations,
    int nodes);

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_RANDOM_GENOTYPE_H_
