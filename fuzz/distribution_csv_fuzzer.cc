// Fuzzes the reader of a run's distribution.csv (the report reads it from
// any run directory). Beyond not crashing: what it accepts is whole, every
// decision with one probability per choice in every epoch.

#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "mdenas/reports/run_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::StatusOr<mdenas::DistributionHistory> history =
      mdenas::ParseDistributionCsv(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!history.ok()) return 0;
  for (const mdenas::DistributionHistory::Decision& decision : history->decisions) {
    if (decision.probability.size() != history->epochs.size()) std::abort();
    for (const auto& at_epoch : decision.probability) {
      if (at_epoch.size() != decision.choices.size()) std::abort();
    }
  }
  return 0;
}
