// The methods //benchmarks:nb201_study compares on NAS-Bench-201 and how
// its results are summarised: each method is a setting of the learner (and
// of random_candidates) in one base SearchSpec, so every method trains the
// same supernet on the same data for the same epochs.

#ifndef BENCHMARKS_NB201_STUDY_METHODS_H_
#define BENCHMARKS_NB201_STUDY_METHODS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "benchmarks/nb201_study.pb.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/search_spec.pb.h"

namespace mdenas {

// The study's methods for searches of `epochs` epochs, the random-search
// baseline drawing `candidates` architectures:
//   paper          one path per epoch, the vector rule (faithful)
//   authors_code   one path per epoch, pairwise transfer (the authors' code)
//   per_batch      a path per batch, the vector rule (UniNAS)
//   accuracy_rank  a path per batch, ACCURACY_RANK after a uniform warm-up
//                  of a quarter of the epochs (ours)
//   rsps           uniform paths throughout, then the best of `candidates`
//                  random architectures (random search with weight sharing)
std::vector<Nb201StudyMethod> Nb201StudyMethods(int epochs, int candidates);

// The spec of `method`'s search under `seed`, written to `output_dir`:
// `base` with the method's learner and random_candidates.
SearchSpec MethodSpec(const SearchSpec& base, const Nb201StudyMethod& method, uint64_t seed,
                      const std::string& output_dir);

// The study's record of a finished search.
Nb201StudyRun StudyRun(const Nb201StudyMethod& method, uint64_t seed, const RunResult& result,
                       const std::string& run_directory);

// One summary per method that has runs, in the order of `methods`.
std::vector<Nb201StudySummary> Summarize(const std::vector<Nb201StudyMethod>& methods,
                                         const std::vector<Nb201StudyRun>& runs);

// The published CIFAR-10 results issue 28 lists, and the space's optimum
// and random architectures.
std::vector<PublishedNb201Result> PublishedNb201Results();

// The study as Markdown: per method mean ± std, then every run, then the
// published results.
std::string StudyMarkdown(const Nb201Study& study);

}  // namespace mdenas

#endif  // BENCHMARKS_NB201_STUDY_METHODS_H_
