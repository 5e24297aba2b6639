#include "mdenas/run/runtime.h"

#include <sys/resource.h>

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <torch/torch.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/spec/spec_validation.h"

namespace mdenas {

absl::StatusOr<RunLoaders> MakeRunLoaders(
    const DataSpec& spec, const DataTransforms& transforms,
    std::shared_ptr<const ImageSource> train_source,
    std::vector<int64_t> train_indices,
    std::shared_ptr<const ImageSource> eval_source,
    std::vector<int64_t> eval_indices, int batch_size, uint64_t seed) {
  LoaderOptions options;
  options.batch_size = batch_size;
  options.threads = spec.loader_threads();
  options.seed = seed;
  RunLoaders loaders;
  MDENAS_ASSIGN_OR_RETURN(
      loaders.train, Loader::Create(std::move(train_source),
                                    std::move(train_indices), transforms.train,
                                    options));
  options.shuffle = false;
  MDENAS_ASSIGN_OR_RETURN(
      loaders.eval, Loader::Create(std::move(eval_source),
                                   std::move(eval_indices), transforms.eval,
                                   options));
  return loaders;
}

absl::Status CheckDeviceAvailable(const RuntimeSpec& runtime) {
  // A name that is no device is spec validation's to report.
  const std::optional<int> cuda = CudaDeviceIndex(runtime.device());
  const int devices = static_cast<int>(torch::cuda::device_count());
  if (!cuda || *cuda < devices) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "runtime.device is '", runtime.device(), "', but this libtorch sees ",
      devices == 0 ? "no CUDA device" : absl::StrCat(devices, " CUDA device(s)")));
}

std::string GpuDescription(int index) {
  const ProcessResult smi =
      RunProcess({"nvidia-smi", absl::StrCat("--id=", index),
                  "--query-gpu=name,driver_version", "--format=csv,noheader"});
  const std::string text(absl::StripAsciiWhitespace(smi.output));
  if (smi.exited && smi.exit_code == 0) return text;
  return absl::StrCat("unknown GPU: nvidia-smi said: ", text);
}

absl::StatusOr<Runtime> SetUpRuntime(const RuntimeSpec& runtime) {
  MDENAS_RETURN_IF_ERROR(CheckDeviceAvailable(runtime));
  const c10::Device device(runtime.device());
  const Kernels kernels =
      runtime.kernels() == RuntimeSpec::ATEN ? Kernels::kAten : Kernels::kFast;
  const int threads =
      runtime.threads() > 0
          ? runtime.threads()
          : static_cast<int>(std::thread::hardware_concurrency());
  at::set_num_threads(std::max(threads, 1));
  std::string description =
      device.is_cpu() ? absl::StrCat("cpu (", at::get_num_threads(), " threads)")
                      : absl::StrCat(runtime.device(), ": ",
                                     GpuDescription(device.has_index() ? device.index() : 0));
  return Runtime{device, kernels, std::move(description)};
}

int64_t PeakResidentBytes() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux: KiB.
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string EpochsCsv(
    const google::protobuf::RepeatedPtrField<EpochRecord>& records,
    const std::function<std::string(const EpochRecord&)>& path_text) {
  std::string csv = absl::StrCat(
      "epoch,", path_text ? "sampled_path," : "",
      "learning_rate,train_loss,train_top1,valid_top1,images_per_second,"
      "seconds\n");
  for (const EpochRecord& record : records) {
    absl::StrAppend(&csv, record.epoch(), ",",
                    path_text ? path_text(record) + "," : "",
                    absl::StrFormat("%.6g,%.6g,%.4f,%.4f,%.1f,%.2f\n",
                                    record.learning_rate(), record.train_loss(),
                                    record.train_top1(), record.valid_top1(),
                                    record.images_per_second(),
                                    record.seconds()));
  }
  return csv;
}

absl::Status NonFiniteStepError(int epoch, int64_t batch, double loss,
                                int epochs_done, const std::string& run_path) {
  return absl::InternalError(absl::StrCat(
      "epoch ", epoch, ", batch ", batch,
      ": the loss or the gradient is not finite (loss ", loss,
      "); the run stops. The checkpoint of epoch ", epochs_done, " in ",
      run_path,
      " is intact. A lower learning rate or gradient clipping may help; "
      "optimizer.on_non_finite: SKIP_STEP skips such steps instead"));
}

double MeanImagesPerSecond(
    const google::protobuf::RepeatedPtrField<EpochRecord>& records,
    int64_t images) {
  double seconds = 0;
  int counted = 0;
  for (const EpochRecord& record : records) {
    if (record.images_per_second() <= 0) continue;
    seconds += images / record.images_per_second();
    ++counted;
  }
  return seconds > 0 ? counted * images / seconds : 0.0;
}

}  // namespace mdenas
