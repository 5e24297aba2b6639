// What every training run (the search, retraining) shares beyond the run
// directory: setting up threads and device, and the epoch table.

#ifndef MDENAS_RUN_RUNTIME_H_
#define MDENAS_RUN_RUNTIME_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <c10/core/Device.h>

#include "absl/status/statusor.h"
#include "data/data_spec.h"
#include "data/loader.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "mdenas/kernels/kernels.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {

struct Runtime {
  c10::Device device;
  Kernels kernels;
  // "cpu (2 threads)", or the GPU (GpuDescription).
  std::string description;
};

// The two loaders of a training run: `train` shuffled through the
// augmenting transform, `eval` in order through the evaluation transform,
// both with `spec`'s loader threads, `batch_size` and `seed`.
struct RunLoaders {
  std::unique_ptr<Loader> train;
  std::unique_ptr<Loader> eval;
};
absl::StatusOr<RunLoaders> MakeRunLoaders(
    const DataSpec& spec, const DataTransforms& transforms,
    std::shared_ptr<const ImageSource> train_source,
    std::vector<int64_t> train_indices,
    std::shared_ptr<const ImageSource> eval_source,
    std::vector<int64_t> eval_indices, int batch_size, uint64_t seed);

// Whether runtime.device is there on this machine (a GPU, if it names one).
absl::Status CheckDeviceAvailable(const RuntimeSpec& runtime);

// GPU `index` as nvidia-smi names it, with its driver ("NVIDIA H100 80GB
// HBM3, 580.159.04"), or "unknown GPU" and why.
std::string GpuDescription(int index);

// Checks the device (CheckDeviceAvailable) and sets libtorch's intra-op threads
// (runtime.threads, 0 = one per core).
absl::StatusOr<Runtime> SetUpRuntime(const RuntimeSpec& runtime);

// The process's peak resident set size. Unit: bytes.
int64_t PeakResidentBytes();

double SecondsSince(std::chrono::steady_clock::time_point start);

// epochs.csv: one row per epoch. `path_text`, when given, fills a
// sampled_path column.
std::string EpochsCsv(
    const google::protobuf::RepeatedPtrField<EpochRecord>& records,
    const std::function<std::string(const EpochRecord&)>& path_text);

// Why a run stops at a training step whose loss or gradient is NaN or
// infinite (OptimizerSpec.on_non_finite = STOP): where it happened, and
// that the checkpoint of the last finished epoch is intact.
absl::Status NonFiniteStepError(int epoch, int64_t batch, double loss,
                                int epochs_done, const std::string& run_path);

// Training images per second over all `records`, each of `images` images.
double MeanImagesPerSecond(
    const google::protobuf::RepeatedPtrField<EpochRecord>& records,
    int64_t images);

}  // namespace mdenas

#endif  // MDENAS_RUN_RUNTIME_H_
