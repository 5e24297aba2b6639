// Replays inputs through a fuzz target's LLVMFuzzerTestOneInput: each
// argument is a file, or a folder whose files are all replayed. Links in
// place of libFuzzer outside --config=fuzz, so the corpus runs as a test.

#include <cstdint>
#include <cstdio>
#include <string>

#include "mdenas/base/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool Replay(const std::string& path) {
  const absl::StatusOr<std::string> contents = mdenas::ReadFile(path);
  if (!contents.ok()) {
    std::fprintf(stderr, "%s\n", std::string(contents.status().message()).c_str());
    return false;
  }
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(contents->data()),
                         contents->size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int replayed = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!mdenas::IsDirectory(arg)) {
      if (!Replay(arg)) return 1;
      ++replayed;
      continue;
    }
    const absl::StatusOr<std::vector<std::string>> names =
        mdenas::ListDirectory(arg);
    if (!names.ok()) {
      std::fprintf(stderr, "%s\n", std::string(names.status().message()).c_str());
      return 1;
    }
    for (const std::string& name : *names) {
      if (!Replay(mdenas::JoinPath(arg, name))) return 1;
      ++replayed;
    }
  }
  std::printf("replayed %d inputs\n", replayed);
  // A corpus that lost its files would pass silently otherwise.
  return replayed > 0 ? 0 : 1;
}
