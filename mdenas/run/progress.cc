#include "mdenas/run/progress.h"

#include "absl/strings/str_format.h"

namespace mdenas {

std::string FormatDuration(double seconds) {
  const int64_t total = static_cast<int64_t>(seconds + 0.5);
  if (total >= 3600) {
    return absl::StrFormat("%d:%02d:%02d", total / 3600, total / 60 % 60,
                           total % 60);
  }
  return absl::StrFormat("%d:%02d", total / 60, total % 60);
}

ProgressReporter::ProgressReporter(std::ostream* lines, std::ostream* bar,
                                   bool live, int total_epochs,
                                   std::string measured_on)
    : lines_(lines),
      bar_(bar),
      live_(live),
      total_epochs_(total_epochs),
      measured_on_(std::move(measured_on)) {}

void ProgressReporter::StartEpoch(int epoch, int64_t batches) {
  epoch_ = epoch;
  batches_ = batches;
  last_draw_ = std::chrono::steady_clock::time_point();
}

void ProgressReporter::Batch(int64_t done, double mean_loss,
                             double mean_accuracy) {
  if (!live_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) {
    return;
  }
  last_draw_ = now;
  constexpr int kWidth = 30;
  const int filled =
      batches_ > 0 ? static_cast<int>(kWidth * done / batches_) : kWidth;
  *bar_ << absl::StrFormat("\repoch %d/%d [%s%s] %d/%d  loss %.3f  acc %.1f%%",
                           epoch_, total_epochs_, std::string(filled, '#'),
                           std::string(kWidth - filled, '.'), done, batches_,
                           mean_loss, mean_accuracy)
        << std::flush;
}

void ProgressReporter::EndEpoch(const EpochRecord& record,
                                absl::string_view path, double elapsed,
                                double remaining) {
  if (live_) *bar_ << "\r\033[K" << std::flush;  // Clear the bar's line.
  *lines_ << absl::StrFormat(
                 "epoch %3d/%d  %s%strain loss %.3f acc %5.1f%%  %s %5.1f%%"
                 "  lr %.4f  %.0f img/s  %s elapsed  ETA %s\n",
                 record.epoch(), total_epochs_, path, path.empty() ? "" : "  ",
                 record.train_loss(), record.train_top1(), measured_on_,
                 record.valid_top1(),
                 record.learning_rate(), record.images_per_second(),
                 FormatDuration(elapsed), FormatDuration(remaining))
          << std::flush;
}

}  // namespace mdenas
