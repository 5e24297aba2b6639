#include "benchmarks/regression.h"

#include <algorithm>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

template <typename Message>
absl::StatusOr<Message> ReadJson(const std::string& path) {
  MDENAS_ASSIGN_OR_RETURN(const std::string json, ReadFile(path));
  Message message;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.ToString()));
  }
  return message;
}

// The configuration `name` of `b` that ran: none where it did not apply to
// the space.
const SearchStepConfiguration* Find(const SearchStepBenchmark& b, const std::string& name) {
  for (const SearchStepConfiguration& c : b.configurations()) {
    if (c.name() == name && !c.has_not_applicable()) return &c;
  }
  return nullptr;
}

// Records one figure: `higher_is_better` says which way is a regression;
// `tolerance` is relative to the baseline.
void Compare(const std::string& what, double baseline, double current, bool higher_is_better,
             double tolerance, Comparison* comparison) {
  const double limit = higher_is_better ? baseline * (1 - tolerance) : baseline * (1 + tolerance);
  const bool regressed = higher_is_better ? current < limit : current > limit;
  comparison->regressed |= regressed;
  comparison->lines.push_back(absl::StrFormat(
      "%-38s baseline %12.4g  now %12.4g  (%+.1f%%)  %s", what, baseline, current,
      baseline != 0 ? 100 * (current / baseline - 1) : 0.0,
      regressed ? absl::StrFormat("REGRESSION (limit %.4g)", limit) : "ok"));
}

}  // namespace

absl::StatusOr<Comparison> CompareSearchSteps(const SearchStepBenchmark& baseline,
                                              const SearchStepBenchmark& current,
                                              const Tolerances& tolerances) {
  // Repeats and the load do not change what is measured; the rest does.
  SearchStepSettings a = baseline.settings(), b = current.settings();
  a.clear_repeats();
  b.clear_repeats();
  if (!google::protobuf::util::MessageDifferencer::Equals(a, b)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the runs were measured with different settings: baseline {", a.ShortDebugString(),
        "}, now {", b.ShortDebugString(), "}"));
  }
  Comparison comparison;
  const SearchStepRatios& r0 = baseline.ratios();
  const SearchStepRatios& r1 = current.ratios();
  if (r0.has_fast_over_aten_nchw() && r1.has_fast_over_aten_nchw()) {
    Compare("speed fast / aten_nchw", r0.fast_over_aten_nchw(), r1.fast_over_aten_nchw(), true,
            tolerances.speed_ratio, &comparison);
  }
  if (r0.has_fast_over_best_aten() && r1.has_fast_over_best_aten()) {
    Compare("speed fast / best aten", r0.fast_over_best_aten(), r1.fast_over_best_aten(), true,
            tolerances.speed_ratio, &comparison);
  }
  if (r0.has_search_memory_over_standalone() && r1.has_search_memory_over_standalone()) {
    Compare("memory search / stand-alone", r0.search_memory_over_standalone(),
            r1.search_memory_over_standalone(), false, tolerances.memory, &comparison);
  }
  if (r0.has_search_memory_over_mixed() && r1.has_search_memory_over_mixed()) {
    Compare("memory search / mixed", r0.search_memory_over_mixed(),
            r1.search_memory_over_mixed(), false, tolerances.memory, &comparison);
  }
  for (const SearchStepConfiguration& c0 : baseline.configurations()) {
    const SearchStepConfiguration* c1 = Find(current, c0.name());
    if (c1 == nullptr || c0.has_not_applicable() || c0.kernels() != "fast") continue;
    Compare(absl::StrCat("peak tensor bytes ", c0.name()), c0.peak_tensor_bytes(),
            c1->peak_tensor_bytes(), false, tolerances.memory, &comparison);
  }
  // The processor, for the record: the speed ratios move with it, so a
  // ratio below the baseline's on another processor is not a regression
  // as such.
  const std::string& p0 = baseline.machine().processor();
  const std::string& p1 = current.machine().processor();
  const char* verdict = p0 == p1                     ? "the same"
                        : p0.empty() || p1.empty() ? "not known to be the same"
                                                   : "not the same";
  comparison.lines.push_back(absl::StrFormat("%-38s baseline %s  now %s  (%s)", "processor",
                                             p0.empty() ? "unrecorded" : p0,
                                             p1.empty() ? "unrecorded" : p1, verdict));
  // Seconds, for the record only: they follow the machine's load.
  for (const SearchStepConfiguration& c0 : baseline.configurations()) {
    if (c0.has_not_applicable()) continue;
    if (const SearchStepConfiguration* c1 = Find(current, c0.name())) {
      comparison.lines.push_back(absl::StrFormat(
          "%-38s baseline %12.4g  now %12.4g  (not checked: load-dependent)",
          absl::StrCat("ms/step ", c0.name()), c0.ms_per_step(), c1->ms_per_step()));
    }
  }
  return comparison;
}

absl::StatusOr<double> DeviceHoursPerEpoch(const RunResult& search) {
  if (search.epochs_size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a search of ", search.epochs_size(),
        " epoch(s): its cost per epoch needs a second, after the first one's warm-up"));
  }
  double seconds = 0;
  for (int e = 1; e < search.epochs_size(); ++e) seconds += search.epochs(e).seconds();
  return seconds / (search.epochs_size() - 1) * std::max(search.processes(), 1) / 3600;
}

absl::StatusOr<Comparison> CompareSearchEpochs(const RunResult& baseline, const RunResult& current,
                                               const Tolerances& tolerances) {
  if (!baseline.has_search_spec() || !current.has_search_spec()) {
    return absl::InvalidArgumentError("only searches' results compare by epoch");
  }
  // The work of an epoch: what is left of the spec without what does not
  // change it.
  SearchSpec work[2] = {baseline.search_spec(), current.search_spec()};
  for (SearchSpec& spec : work) {
    spec.clear_epochs();
    spec.clear_split_seed();
    spec.clear_learner();
    // Where the images are on each host; the data set and their number
    // stay.
    spec.mutable_data()->clear_path();
    spec.mutable_runtime()->clear_seed();
    spec.mutable_runtime()->clear_output_dir();
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(work[0], work[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat("the searches do different work per epoch: baseline {",
                     work[0].ShortDebugString(), "}, now {", work[1].ShortDebugString(), "}"));
  }
  for (const auto& [what, a, b] : {std::tuple<const char*, std::string, std::string>{
                                       "devices", baseline.device(), current.device()},
                                   {"precisions", baseline.precision(), current.precision()},
                                   {"numbers of processes", absl::StrCat(baseline.processes()),
                                    absl::StrCat(current.processes())}}) {
    if (a != b) {
      return absl::InvalidArgumentError(
          absl::StrCat("the searches ran on different ", what, ": baseline ", a, ", now ", b));
    }
  }
  MDENAS_ASSIGN_OR_RETURN(const double hours0, DeviceHoursPerEpoch(baseline));
  MDENAS_ASSIGN_OR_RETURN(const double hours1, DeviceHoursPerEpoch(current));
  Comparison comparison;
  Compare("device-hours per epoch", hours0, hours1, false, tolerances.search_epoch, &comparison);
  Compare("training images/s", baseline.images_per_second(), current.images_per_second(), true,
          tolerances.search_epoch, &comparison);
  comparison.lines.push_back(absl::StrFormat("%-38s %s", "device", current.device()));
  return comparison;
}

absl::StatusOr<RunResult> ReadRunResult(const std::string& path) {
  return ReadJson<RunResult>(path);
}

absl::StatusOr<SearchStepBenchmark> ReadSearchStepJson(const std::string& path) {
  return ReadJson<SearchStepBenchmark>(path);
}

absl::StatusOr<InstructionBaseline> ReadInstructionBaseline(const std::string& path) {
  return ReadJson<InstructionBaseline>(path);
}

}  // namespace mdenas
