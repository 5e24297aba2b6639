#include "mdenas/base/command_line.h"

#include "absl/flags/parse.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace mdenas {
namespace {

// Whether `file`, where a flag is defined, is one of Abseil's, such as
// "./absl/flags/parse.cc" in Debian's build of it.
bool IsAbseilFile(absl::string_view file) {
  return absl::StartsWith(file, "absl/") || absl::StrContains(file, "/absl/");
}

}  // namespace

std::vector<char*> ParseCommandLine(int argc, char** argv) {
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return !IsAbseilFile(file);
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  absl::SetFlagsUsageConfig(config);
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace mdenas
