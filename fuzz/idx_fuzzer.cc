// Fuzzes the IDX parser, plain and gzipped.

#include <cstdint>
#include <string>

#include "data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)mdenas::ParseIdx(
      std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  return 0;
}
