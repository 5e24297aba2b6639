// The text of a CUDA runtime error, for the "" / error-message results of
// the CUDA code paths. Plain C++: the header builds without nvcc.

#ifndef MDENAS_KERNELS_CUDA_ERROR_H_
#define MDENAS_KERNELS_CUDA_ERROR_H_

#include <string>

namespace mdenas {

// "cudaErrorNoDevice: no CUDA-capable device is detected" for a cudaError_t
// (passed as int, which it converts to implicitly); "" for cudaSuccess.
std::string CudaErrorText(int error);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CUDA_ERROR_H_
