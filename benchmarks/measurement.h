// What every benchmark reports beside its timings: the median of repeated
// measurements, and how busy the machine was (timings are only comparable
// when nothing else ran).

#ifndef BENCHMARKS_MEASUREMENT_H_
#define BENCHMARKS_MEASUREMENT_H_

#include <vector>

namespace mdenas {

// The median of `values` (the mean of the middle two for an even count);
// 0 for none.
double Median(std::vector<double> values);

// The system's load average over the last minute.
double LoadAverage();

}  // namespace mdenas

#endif  // BENCHMARKS_MEASUREMENT_H_
