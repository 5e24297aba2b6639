// The paper's Table 3 (MDENAS_SPEC.md §3.3b): networks searched directly on
// ImageNet in the mobile space, top-1 and GPU latency as published, with
// this code's columns beside them for the networks of the space (MdeNAS's
// and ProxylessNAS's genes): parameters, multiply-adds at 224 px and the
// latency measured here. MobileNetV2 and ShuffleNetV2 are not networks of
// the space: paper rows only.

#ifndef MDENAS_BENCHMARKS_MOBILE_TABLE_H_
#define MDENAS_BENCHMARKS_MOBILE_TABLE_H_

#include <torch/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "benchmarks/table.pb.h"

namespace mdenas {

struct LatencyProtocol {
  torch::Device device = torch::kCPU;
  // "cpu (2 threads)", a GPU.
  std::string device_name;
  int batch = 8;
  int warmup = 5;
  int repeats = 20;
};

// The paper's rows, then a computed row per network of the space, each
// with its latency measured as `latency` says.
absl::StatusOr<Table> MobileTable(const LatencyProtocol& latency);

std::string MobileTableMarkdown(const Table& rows);

}  // namespace mdenas

#endif  // MDENAS_BENCHMARKS_MOBILE_TABLE_H_
