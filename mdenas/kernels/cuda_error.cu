#include "mdenas/kernels/cuda_error.h"

#include <cuda_runtime.h>

namespace mdenas {

std::string CudaErrorText(int error) {
  const auto cuda_error = static_cast<cudaError_t>(error);
  if (cuda_error == cudaSuccess) return "";
  return std::string(cudaGetErrorName(cuda_error)) + ": " +
         cudaGetErrorString(cuda_error);
}

}  // namespace mdenas
