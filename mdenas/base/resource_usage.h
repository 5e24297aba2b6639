// What this process has used of the machine, as the kernel counts it.

#ifndef MDENAS_BASE_RESOURCE_USAGE_H_
#define MDENAS_BASE_RESOURCE_USAGE_H_

#include <cstdint>

namespace mdenas {

// The process's peak resident set size. Unit: bytes.
int64_t PeakResidentBytes();

}  // namespace mdenas

#endif  // MDENAS_BASE_RESOURCE_USAGE_H_
