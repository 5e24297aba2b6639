// Depthwise convolution on a CUDA device: the GPU counterparts of the CPU
// kernels' depthwise_forward, depthwise_backward_input and
// depthwise_backward_weight (cpu_kernels.h), for float, with the same
// arguments, layouts and ReLU options on device pointers. Activations are
// NHWC pixel matrices: pixel p = (n * height + h) * width + w, channel c at
// data[p * ld + c] with ld >= channels; weights are packed
// [kernel * kernel][channels] (tap-major).
//
// Kernel sizes 3 and 5 with any stride, padding and dilation: the DARTS
// space's sep_conv and dil_conv use kernel 3/5, dilation 1/2, stride 1/2.
//
// Plain C++ types only, and no torch header on either side, so these build
// where libtorch has no CUDA (Debian's). Calling them from the autograd
// functions (at::Tensor dispatch on CUDA tensors) needs a CUDA-enabled
// libtorch: GPU hosts, the CMake build.
//
// Each function queues its work on `stream` (a cudaStream_t; nullptr is the
// default stream) and returns "" on success, else what was wrong: the
// geometry or the CUDA error at launch (an error while the kernel runs
// shows at the next synchronisation). Every sum is taken in a fixed order,
// so results are the same from run to run.

#ifndef MDENAS_KERNELS_CUDA_DEPTHWISE_H_
#define MDENAS_KERNELS_CUDA_DEPTHWISE_H_

#include <cstdint>
#include <string>

#include "mdenas/kernels/window_geometry.h"

namespace mdenas {

// output = input convolved with `weight`; `relu_input` applies ReLU to the
// input as it is read.
std::string CudaDepthwiseForward(const WindowGeometry& g, const float* input,
                                 int64_t input_ld, bool relu_input,
                                 const float* weight, float* output,
                                 int64_t output_ld, void* stream = nullptr);

// grad_input = d output / d input, overwritten; where `relu_input` is not
// null, the gradient also passes through ReLU(relu_input) (zero where it is
// <= 0).
std::string CudaDepthwiseBackwardInput(
    const WindowGeometry& g, const float* grad_output, int64_t grad_ld,
    const float* weight, const float* relu_input, int64_t relu_input_ld,
    float* grad_input, int64_t grad_input_ld, void* stream = nullptr);

// grad_weight [kernel * kernel][channels] = d output / d weight, overwritten.
std::string CudaDepthwiseBackwardWeight(const WindowGeometry& g,
                                        const float* grad_output,
                                        int64_t grad_ld, const float* input,
                                        int64_t input_ld, bool relu_input,
                                        float* grad_weight,
                                        void* stream = nullptr);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CUDA_DEPTHWISE_H_
