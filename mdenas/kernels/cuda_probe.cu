#include <cuda_runtime.h>

#include "mdenas/kernels/cuda_error.h"
#include "mdenas/kernels/cuda_probe.h"

namespace mdenas {
namespace {

__global__ void AxpyKernel(float a, const float* x, float* y, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] += a * x[i];
}

}  // namespace

bool CudaDeviceAvailable(std::string* why_not) {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    *why_not = CudaErrorText(error);
    return false;
  }
  if (count == 0) {
    *why_not = "the CUDA runtime reports 0 devices";
    return false;
  }
  return true;
}

std::string CudaAxpy(float a, const std::vector<float>& x,
                     std::vector<float>* y) {
  const int n = static_cast<int>(x.size());
  const size_t bytes = x.size() * sizeof(float);
  float* device_x = nullptr;
  float* device_y = nullptr;
  cudaError_t error = cudaMalloc(&device_x, bytes);
  if (error == cudaSuccess) error = cudaMalloc(&device_y, bytes);
  if (error == cudaSuccess) {
    error = cudaMemcpy(device_x, x.data(), bytes, cudaMemcpyHostToDevice);
  }
  if (error == cudaSuccess) {
    error = cudaMemcpy(device_y, y->data(), bytes, cudaMemcpyHostToDevice);
  }
  if (error == cudaSuccess) {
    constexpr int kThreads = 256;
    AxpyKernel<<<(n + kThreads - 1) / kThreads, kThreads>>>(a, device_x,
                                                            device_y, n);
    error = cudaGetLastError();
  }
  if (error == cudaSuccess) {
    error = cudaMemcpy(y->data(), device_y, bytes, cudaMemcpyDeviceToHost);
  }
  cudaFree(device_x);
  cudaFree(device_y);
  return CudaErrorText(error);
}

}  // namespace mdenas
