#include "mdenas/training/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace mdenas {
namespace {

#if TORCH_VERSION_MAJOR >= 2
bool Enabled(c10::DeviceType device) { return at::autocast::is_autocast_enabled(device); }
void SetEnabled(c10::DeviceType device, bool enabled) {
  at::autocast::set_autocast_enabled(device, enabled);
}
c10::ScalarType Dtype(c10::DeviceType device) { return at::autocast::get_autocast_dtype(device); }
void SetDtype(c10::DeviceType device, c10::ScalarType dtype) {
  at::autocast::set_autocast_dtype(device, dtype);
}
#else
bool Enabled(c10::DeviceType device) {
  return device == c10::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void SetEnabled(c10::DeviceType device, bool enabled) {
  if (device == c10::kCUDA) {
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_cpu_enabled(enabled);
  }
}
c10::ScalarType Dtype(c10::DeviceType device) {
  return device == c10::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                              : at::autocast::get_autocast_cpu_dtype();
}
void SetDtype(c10::DeviceType device, c10::ScalarType dtype) {
  if (device == c10::kCUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
}
#endif

}  // namespace

AutocastScope::AutocastScope(c10::DeviceType device, bool enabled, bool cache_casts)
    : device_(device), enabled_(enabled) {
  if (!enabled_) return;
  was_enabled_ = Enabled(device_);
  previous_dtype_ = Dtype(device_);
  was_caching_ = at::autocast::is_autocast_cache_enabled();
  at::autocast::set_autocast_cache_enabled(was_caching_ && cache_casts);
  SetEnabled(device_, true);
  SetDtype(device_, c10::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  // The outermost scope drops the bfloat16 copies of the weights that
  // autocast cached for the pass.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  SetEnabled(device_, was_enabled_);
  SetDtype(device_, previous_dtype_);
  at::autocast::set_autocast_cache_enabled(was_caching_);
}

}  // namespace mdenas
