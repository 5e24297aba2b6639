// Forward latency of a trained network, as the tables report it: warm-up
// passes, then the median of repeated timed passes, in evaluation mode
// without gradients. (The MdeNAS repository times batch 8 with
// time.time() and no synchronisation; the median over synchronised passes is
// steadier.)

#ifndef MDENAS_EVAL_LATENCY_H_
#define MDENAS_EVAL_LATENCY_H_

#include <functional>

#include "mdenas/proto/run_result.pb.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

// The median wall time of `repeats` calls of `run`, after `warmup` untimed
// ones. Unit: milliseconds.
double MedianMilliseconds(const std::function<void()>& run, int warmup,
                          int repeats);

// The latency of `network` on `batch_size` images of the given shape on
// `device`; `device_name` is recorded with it.
Latency MeasureLatency(Network& network, int batch_size, int channels,
                       int height, int width, const torch::Device& device,
                       const std::string& device_name, int warmup = 5,
                       int repeats = 20);

}  // namespace mdenas

#endif  // MDENAS_EVAL_LATENCY_H_
