#include "mdenas/run/runtime.h"

#include <torch/torch.h>

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/spec/spec_validation.h"

namespace mdenas {

absl::Status CheckDeviceAvailable(const RuntimeSpec& runtime) {
  // A name that is no device is spec validation's to report.
  const std::optional<int> cuda = CudaDeviceIndex(runtime.device());
  const int devices = static_cast<int>(torch::cuda::device_count());
  if (!cuda || *cuda < devices) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("runtime.device is '", runtime.device(), "', but this libtorch sees ",
                   devices == 0 ? "no CUDA device" : absl::StrCat(devices, " CUDA device(s)")));
}

std::string GpuDescription(int index) {
  const ProcessResult smi =
      RunProcess({"nvidia-smi", absl::StrCat("--id=", index), "--query-gpu=name,driver_version",
                  "--format=csv,noheader"});
  const std::string text(absl::StripAsciiWhitespace(smi.output));
  if (smi.exited && smi.exit_code == 0) return text;
  return absl::StrCat("unknown GPU: nvidia-smi said: ", text);
}

std::string PrecisionName(const Runtime& runtime) {
  return runtime.bfloat16 ? "bfloat16 autocast" : "float32";
}

absl::StatusOr<Runtime> SetUpRuntime(const RuntimeSpec& runtime, int processes_here,
                                     int rank_here) {
  RuntimeSpec here = runtime;
  if (processes_here > 1 && runtime.device() != "cpu") {
    if (runtime.device() != "cuda") {
      return absl::FailedPreconditionError(absl::StrCat(
          "runtime.device is '", runtime.device(), "', one GPU for the ", processes_here,
          " processes on this machine: say \"cuda\", and each takes its own (cuda:LOCAL_RANK)"));
    }
    here.set_device(absl::StrCat("cuda:", rank_here));
  }
  MDENAS_RETURN_IF_ERROR(CheckDeviceAvailable(here));
  const c10::Device device(here.device());
  const Kernels kernels = runtime.kernels() == RuntimeSpec::ATEN ? Kernels::kAten : Kernels::kFast;
  const int threads =
      runtime.threads() > 0
          ? runtime.threads()
          : static_cast<int>(std::thread::hardware_concurrency()) / std::max(processes_here, 1);
  at::set_num_threads(std::max(threads, 1));
  std::string description =
      device.is_cpu() ? absl::StrCat("cpu (", at::get_num_threads(), " threads)")
                      : absl::StrCat(here.device(), ": ",
                                     GpuDescription(device.has_index() ? device.index() : 0));
  return Runtime{device, kernels, runtime.precision() == RuntimeSpec::BFLOAT16,
                 std::move(description), runtime.cuda_graphs()};
}

}  // namespace mdenas
