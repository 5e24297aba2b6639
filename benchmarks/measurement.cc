#include "benchmarks/measurement.h"

#include <algorithm>
#include <cstdlib>

namespace mdenas {

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double LoadAverage() {
  double load[1] = {0};
  getloadavg(load, 1);
  return load[0];
}

}  // namespace mdenas
