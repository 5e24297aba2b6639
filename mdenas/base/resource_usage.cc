#include "mdenas/base/resource_usage.h"

#include <sys/resource.h>

namespace mdenas {

int64_t PeakResidentBytes() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux: KiB.
}

}  // namespace mdenas
