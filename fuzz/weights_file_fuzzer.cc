// Fuzzes the reader of weights files (--init_weights): PyTorch's zip
// container, the pickle of a dict of tensors, the storages it names. The
// seeds are state dicts Python's torch.save wrote (pickle protocols 2 and 4).
// Run it without leak detection (ASAN_OPTIONS=detect_leaks=0
// -detect_leaks=0): libtorch 1.13's PyTorchStreamReader leaks its zip state
// when its constructor throws on a malformed archive (under 1 kB per file;
// --init_weights reads one file and exits), which would stop every run.

#include <unistd.h>

#include <cstdint>
#include <string>

#include "mdenas/base/file.h"
#include "mdenas/nn/weights_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The reader takes a path, as --init_weights does.
  static const std::string path = "/tmp/weights_file_fuzzer." + std::to_string(::getpid());
  if (!mdenas::WriteFileAtomically(path, std::string(reinterpret_cast<const char*>(data), size))
           .ok()) {
    return 0;
  }
  (void)mdenas::ReadWeightsFile(path);
  return 0;
}
