#include "mdenas/run/progress.h"

#include <map>

#include "absl/strings/str_format.h"

namespace mdenas {
namespace {

char Letter(const std::string& op) {
  static const auto* const letters = new std::map<std::string, char>{
      {"none", '-'},         {"max_pool_3x3", 'm'}, {"avg_pool_3x3", 'a'},
      {"skip_connect", 'k'}, {"sep_conv_3x3", 's'}, {"sep_conv_5x5", 'S'},
      {"dil_conv_3x3", 'd'}, {"dil_conv_5x5", 'D'}};
  const auto it = letters->find(op);
  return it == letters->end() ? '?' : it->second;
}

}  // namespace

std::string ShortCellPath(absl::Span<const int> cell_path,
                          const std::vector<std::string>& operations,
                          int nodes) {
  std::string text;
  size_t edge = 0;
  for (int node = 2; node < nodes + 2; ++node) {
    if (node > 2) text += '|';
    for (int input = 0; input < node && edge < cell_path.size(); ++input) {
      text += Letter(operations[cell_path[edge++]]);
    }
  }
  return text;
}

std::string ShortPathLegend() {
  return "path letters: - none, m max_pool_3x3, a avg_pool_3x3, k "
         "skip_connect, s sep_conv_3x3, S sep_conv_5x5, d dil_conv_3x3, D "
         "dil_conv_5x5; n normal cell, r reduction cell, | between nodes";
}

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
