#include "mdenas/training/epoch_records.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mdenas {

double MeanImagesPerSecond(const google::protobuf::RepeatedPtrField<EpochRecord>& records,
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

std::string EpochsCsv(const google::protobuf::RepeatedPtrField<EpochRecord>& records,
                      const std::function<std::string(const EpochRecord&)>& path_text) {
  std::string csv = absl::StrCat(
      "epoch,", path_text ? "sampled_path," : "",
      "learning_rate,train_loss,train_top1,valid_top1,images_per_second,seconds\n");
  for (const EpochRecord& record : records) {
    absl::StrAppend(&csv, record.epoch(), ",", path_text ? path_text(record) + "," : "",
                    absl::StrFormat("%.6g,%.6g,%.4f,%.4f,%.1f,%.2f\n", record.learning_rate(),
                                    record.train_loss(), record.train_top1(),
                                    record.valid_top1(), record.images_per_second(),
                                    record.seconds()));
  }
  return csv;
}

}  // namespace mdenas
