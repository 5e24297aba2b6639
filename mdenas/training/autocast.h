// Mixed precision for forward passes (RuntimeSpec.precision = BFLOAT16):
// while an AutocastScope is open, ATen's autocast runs matrix products and
// convolutions in bfloat16 and the operations on its float32 list (the
// losses among them; the lists differ between CPU and CUDA) in float32.
// Weights, gradients and the optimiser stay float32. This file is the one place
// that knows libtorch 1.13's autocast calls from 2.x's.
//
//   {
//     AutocastScope bf16(device.type(), runtime.precision() == RuntimeSpec::BFLOAT16);
//     loss = Forward(images, labels);
//   }
//   loss.backward();  // outside the scope, as PyTorch's recipe says

#ifndef MDENAS_TRAINING_AUTOCAST_H_
#define MDENAS_TRAINING_AUTOCAST_H_

#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>

namespace mdenas {

class AutocastScope {
 public:
  // Autocasts to bfloat16 on `device` (CPU or CUDA) until destroyed; does
  // nothing when `enabled` is false. Autocast keeps the bfloat16 copies of
  // the weights it makes for the scope's passes, unless `cache_casts` is
  // false: a CUDA graph must make them anew at every replay, as the
  // weights change between replays.
  AutocastScope(c10::DeviceType device, bool enabled, bool cache_casts = true);
  ~AutocastScope();

  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  c10::DeviceType device_;
  bool enabled_;
  // The state the scope found, restored when it closes.
  bool was_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Undefined;
  bool was_caching_ = true;
};

}  // namespace mdenas

#endif  // MDENAS_TRAINING_AUTOCAST_H_
