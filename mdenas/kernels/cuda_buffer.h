// A float array in CUDA device memory, filled from and read back into host
// vectors: how tests (and tools) feed the CUDA kernels without libtorch.
// Plain C++: the header builds without nvcc.

#ifndef MDENAS_KERNELS_CUDA_BUFFER_H_
#define MDENAS_KERNELS_CUDA_BUFFER_H_

#include <cstddef>
#include <string>
#include <vector>

namespace mdenas {

class CudaFloatBuffer {
 public:
  CudaFloatBuffer() = default;
  CudaFloatBuffer(const CudaFloatBuffer&) = delete;
  CudaFloatBuffer& operator=(const CudaFloatBuffer&) = delete;
  ~CudaFloatBuffer();

  // Makes the buffer a device copy of `host` (reallocating it when the
  // size differs). Returns "" on success, else the CUDA error.
  std::string CopyFrom(const std::vector<float>& host);
  // Copies the whole buffer into `host`, resized to fit; waits for the work
  // queued before it. Returns "" on success, else the CUDA error (also one
  // that a kernel queued earlier hit).
  std::string CopyTo(std::vector<float>* host) const;

  float* data() { return data_; }
  const float* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  float* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CUDA_BUFFER_H_
