// The smallest CUDA code path: proves that .cu files compile with nvcc under
// --config=cuda, link into C++ targets and run where a GPU is present.
// Plain C++ types only, so the header builds with and without nvcc.

#ifndef MDENAS_KERNELS_CUDA_PROBE_H_
#define MDENAS_KERNELS_CUDA_PROBE_H_

#include <string>
#include <vector>

namespace mdenas {

// True if a CUDA device can run kernels; otherwise `why_not` says why (no
// device, no driver, ...).
bool CudaDeviceAvailable(std::string* why_not);

// y[i] += a * x[i] on the first CUDA device. Returns "" on success, else the
// CUDA error.
std::string CudaAxpy(float a, const std::vector<float>& x,
                     std::vector<float>* y);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CUDA_PROBE_H_
