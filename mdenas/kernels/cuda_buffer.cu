#include "mdenas/kernels/cuda_buffer.h"

#include <cuda_runtime.h>

#include "mdenas/kernels/cuda_error.h"

namespace mdenas {

CudaFloatBuffer::~CudaFloatBuffer() { cudaFree(data_); }

std::string CudaFloatBuffer::CopyFrom(const std::vector<float>& host) {
  if (host.size() != size_) {
    cudaFree(data_);
    data_ = nullptr;
    size_ = 0;
    if (const cudaError_t error =
            cudaMalloc(&data_, host.size() * sizeof(float));
        error != cudaSuccess) {
      return CudaErrorText(error);
    }
    size_ = host.size();
  }
  return CudaErrorText(cudaMemcpy(data_, host.data(), size_ * sizeof(float),
                                  cudaMemcpyHostToDevice));
}

std::string CudaFloatBuffer::CopyTo(std::vector<float>* host) const {
  host->resize(size_);
  return CudaErrorText(cudaMemcpy(host->data(), data_, size_ * sizeof(float),
                                  cudaMemcpyDeviceToHost));
}

}  // namespace mdenas
