// Scratch memory that a thread keeps from call to call. The fused kernels
// run once per operation (and image, inside), and a new std::vector per
// call cost its allocation and zero-filling every time, where the kernels
// write every element before they read it:
//
//   thread_local ScratchBuffer<float> grad_scratch;  // one per use
//   float* grad = grad_scratch.Get(size);
//
// (The CPU kernel variants keep theirs in PaddedChunk: they share no code
// with the rest of the program, simd.h.)

#ifndef MDENAS_KERNELS_SCRATCH_BUFFER_H_
#define MDENAS_KERNELS_SCRATCH_BUFFER_H_

#include <cstdint>
#include <vector>

namespace mdenas {

template <typename T>
class ScratchBuffer {
 public:
  // At least `size` elements, holding whatever they last held.
  T* Get(int64_t size) {
    if (storage_.size() < static_cast<size_t>(size)) storage_.resize(size);
    return storage_.data();
  }

 private:
  std::vector<T> storage_;
};

}  // namespace mdenas

#endif  // MDENAS_KERNELS_SCRATCH_BUFFER_H_
