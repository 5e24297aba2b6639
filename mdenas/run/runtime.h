// Where and how a run computes: its device, checked to be there, libtorch's
// intra-op threads, the kernels of the cell operations, and a description
// of them for logs and results.

#ifndef MDENAS_RUN_RUNTIME_H_
#define MDENAS_RUN_RUNTIME_H_

#include <c10/core/Device.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "mdenas/kernels/kernels.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {

struct Runtime {
  c10::Device device;
  Kernels kernels;
  // bfloat16 autocast of the forward passes (RuntimeSpec.precision).
  bool bfloat16 = false;
  // "cpu (2 threads)", or the GPU (GpuDescription).
  std::string description;
  // Training steps replayed from CUDA graphs where possible
  // (RuntimeSpec.cuda_graphs).
  bool cuda_graphs = true;
};

// "float32" or "bfloat16 autocast", for results.
std::string PrecisionName(const Runtime& runtime);

// Whether runtime.device is there on this machine (a GPU, if it names one).
absl::Status CheckDeviceAvailable(const RuntimeSpec& runtime);

// GPU `index` as nvidia-smi names it, with its driver ("NVIDIA H100 80GB
// HBM3, 580.159.04"), or "unknown GPU" and why.
std::string GpuDescription(int index);

// Checks the device (CheckDeviceAvailable) and sets libtorch's intra-op threads
// (runtime.threads; 0 = the cores shared among the `processes_here`
// processes on this machine, at least 1). Of several processes on a
// machine, process `rank_here` trains on cuda:<rank_here> where the device
// is "cuda": one GPU each; a device with an index is then an error.
absl::StatusOr<Runtime> SetUpRuntime(const RuntimeSpec& runtime, int processes_here = 1,
                                     int rank_here = 0);

}  // namespace mdenas

#endif  // MDENAS_RUN_RUNTIME_H_
