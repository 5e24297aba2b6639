// What a run prints while it works: one line per epoch, and a live progress
// bar within the epoch when the output is a terminal.
//
//   epoch  3/20  <path>  train loss 1.821 acc 31.2%  valid 35.4%
//     lr 0.0243  412 img/s  0:45 elapsed  ETA 6:30
//
// where <path> is the epoch's sampled path as the search space shows it.

#ifndef MDENAS_RUN_PROGRESS_H_
#define MDENAS_RUN_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "mdenas/proto/run_result.pb.h"

namespace mdenas {

// "1:02:03" or "4:05".
std::string FormatDuration(double seconds);

class ProgressReporter {
 public:
  // Epoch lines go to `lines`; the live bar, if `live`, to `bar`. The
  // accuracy measured after each epoch is labelled `measured_on` ("valid"
  // for the search's validation split, "test" when retraining).
  ProgressReporter(std::ostream* lines, std::ostream* bar, bool live,
                   int total_epochs, std::string measured_on = "valid");

  void StartEpoch(int epoch, int64_t batches);
  // After each training batch; redraws the bar at most ten times a second.
  void Batch(int64_t done, double mean_loss, double mean_accuracy);
  // `path` is the short form of the epoch's path, empty if it changed per
  // batch; `elapsed` counts every finished epoch of the run; `remaining` is
  // the estimated time left.
  void EndEpoch(const EpochRecord& record, absl::string_view path,
                double elapsed, double remaining);

 private:
  std::ostream* lines_;
  std::ostream* bar_;
  bool live_;
  int total_epochs_;
  std::string measured_on_;
  int epoch_ = 0;
  int64_t batches_ = 0;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace mdenas

#endif  // MDENAS_RUN_PROGRESS_H_
