// A latency lookup table of the mobile space: the measured time of every
// block choice of every slot, and of the fixed rest (the first conv and the
// head), on one device at one batch size and image size. A network's
// latency is predicted as the sum of its parts (as ProxylessNAS and
// MnasNet predict it); the prediction ignores what a whole forward pass
// shares between layers (caches, dispatch), which its error against the
// measured network shows.
//
//   MDENAS_ASSIGN_OR_RETURN(MobileLatencyTable table, ReadMobileLatencyTable(path));
//   const double ms = table.Predict(path);  // a choice per slot
//
// On disk, text lines of comma-separated fields: `key,value` for the
// settings (skeleton, image, batch, device, protocol), then
// `slot,choice,milliseconds` with slot 1.. the skeleton's slots or `fixed`
// (its choice empty).

#ifndef MDENAS_SPACE_MOBILE_LATENCY_TABLE_H_
#define MDENAS_SPACE_MOBILE_LATENCY_TABLE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "mdenas/space/mobile/mobile_skeleton.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

struct MobileLatencyTable {
  MobileSkeletonName skeleton = GPU;
  // Images are image x image pixels, `batch` of them per pass.
  int image = 224;
  int batch = 1;
  // Where it was measured: "cpu (1 threads)", a GPU's name.
  std::string device;
  // How: warm-up passes, repeats, the statistic.
  std::string protocol;
  // Milliseconds of the first conv and the head together.
  double fixed_ms = 0;
  // [slot][choice] milliseconds.
  std::vector<std::vector<double>> block_ms;

  // The predicted milliseconds of the network `path` (a choice per slot)
  // picks: the fixed part plus each slot's choice.
  double Predict(absl::Span<const int> path) const;
};

std::string FormatMobileLatencyTable(const MobileLatencyTable& table);
// Errors name the file (`name`), the line and the fault: a missing or
// unknown setting, a slot or choice outside the skeleton, a duplicate or
// missing entry, a time that is not a positive number.
absl::StatusOr<MobileLatencyTable> ParseMobileLatencyTable(const std::string& text,
                                                           const std::string& name);
absl::StatusOr<MobileLatencyTable> ReadMobileLatencyTable(const std::string& path);

// Measures every part of `skeleton`'s networks for `inputs`-sized images
// (ForSmallImages below 64 px) on `inputs.kernels`, `batch` at a time, on
// `device`, in evaluation mode: each with `median_ms`, which runs a pass repeatedly and
// returns its time (it must wait for the device).
MobileLatencyTable MeasureMobileLatencyTable(
    MobileSkeletonName skeleton, const NetworkInputs& inputs, int batch,
    const torch::Device& device,
    const std::function<double(const std::function<void()>& pass)>& median_ms);

}  // namespace mdenas

#endif  // MDENAS_SPACE_MOBILE_LATENCY_TABLE_H_
