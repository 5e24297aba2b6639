// What the per-epoch records of a run (EpochRecord) add up to: epochs.csv
// and the mean throughput.

#ifndef MDENAS_TRAINING_EPOCH_RECORDS_H_
#define MDENAS_TRAINING_EPOCH_RECORDS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "google/protobuf/repeated_ptr_field.h"
#include "mdenas/proto/run_result.pb.h"

namespace mdenas {

// Training images per second over all `records`, each of `images` images.
double MeanImagesPerSecond(const google::protobuf::RepeatedPtrField<EpochRecord>& records,
                           int64_t images);

// epochs.csv: one row per epoch; `path_text`, when given, fills a
// sampled_path column.
std::string EpochsCsv(const google::protobuf::RepeatedPtrField<EpochRecord>& records,
                      const std::function<std::string(const EpochRecord&)>& path_text);

}  // namespace mdenas

#endif  // MDENAS_TRAINING_EPOCH_RECORDS_H_
