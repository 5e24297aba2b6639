// Which processor a benchmark ran on, for its JSON. The fast kernels run
// near the processor's limits (their matrix products near its multiply-add
// peak, the rest at its memory bandwidth) and the ATen reference does not,
// so the speed ratios fast / aten are a property of the processor as well
// as of the code.

#ifndef BENCHMARKS_PROCESSOR_H_
#define BENCHMARKS_PROCESSOR_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mdenas {

// The first processor of a /proc/cpuinfo text: "<vendor_id> family <cpu
// family> model <model> (<model name>)", e.g. "AuthenticAMD family 25 model
// 17 (AMD EPYC)"; the fields it lacks are left out. Empty where it names none.
std::string DescribeProcessor(absl::string_view cpuinfo);

// DescribeProcessor of this machine's /proc/cpuinfo; empty where there is
// none (not Linux).
std::string ThisProcessor();

}  // namespace mdenas

#endif  // BENCHMARKS_PROCESSOR_H_
