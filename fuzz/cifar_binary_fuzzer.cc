// Fuzzes the CIFAR-10 and CIFAR-100 binary record parser; the first byte
// picks the layout.

#include <cstdint>
#include <string>

#include "data/cifar_binary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const mdenas::CifarVariant variant = data[0] % 2 == 0
                                           ? mdenas::CifarVariant::kCifar10
                                           : mdenas::CifarVariant::kCifar100;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  mdenas::ImageSet set;
  (void)mdenas::AppendCifarRecords(variant, bytes, "fuzz", &set);
  return 0;
}
