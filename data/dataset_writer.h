// The formats //data:convert writes, in a small registry: a writer is a name,
// a line of help and a function. Adding a format is adding a row to the table
// in dataset_writer.cc.

#ifndef MDENAS_DATA_DATASET_WRITER_H_
#define MDENAS_DATA_DATASET_WRITER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/dataset.h"

namespace mdenas {

struct DatasetWriter {
  // The --format value, e.g. "cifar-bin".
  const char* name;
  // One line for --help.
  const char* description;
  // Writes both parts of `data` into folder `dir`, creating it.
  absl::Status (*write)(const Dataset& data, const std::string& dir);
};

// Every writer, in the order help lists them.
const std::vector<DatasetWriter>& DatasetWriters();

// The writer called `name`; otherwise an error that lists the names.
absl::StatusOr<const DatasetWriter*> FindDatasetWriter(absl::string_view name);

}  // namespace mdenas

#endif  // MDENAS_DATA_DATASET_WRITER_H_
