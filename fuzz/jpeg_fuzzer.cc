// Fuzzes the JPEG decoder every image folder goes through.

#include <cstdint>
#include <string>

#include "data/jpeg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)mdenas::DecodeJpeg(
      std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  return 0;
}
