// Fuzzes the DARTS genotype parser and validation. Beyond not crashing: a
// genotype that parses and validates prints to text that parses back to it.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "mdenas/space/darts/genotype.h"
#include "mdenas/space/darts/primitives.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<mdenas::Genotype> genotype =
      mdenas::ParseDartsGenotype(text);
  if (!genotype.ok() ||
      !mdenas::ValidateGenotype(*genotype, mdenas::DartsOperations()).ok()) {
    return 0;
  }
  const absl::StatusOr<mdenas::Genotype> again =
      mdenas::ParseDartsGenotype(mdenas::FormatDartsGenotype(*genotype));
  if (!again.ok() || !(*again == *genotype)) std::abort();
  return 0;
}
