#include "mdenas/spec/flag_occurrences.h"

#include "absl/strings/strip.h"

namespace mdenas {

std::vector<std::string> FlagOccurrences(absl::string_view name, int argc,
                                         const char* const* argv) {
  std::vector<std::string> values;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (!absl::ConsumePrefix(&arg, "-")) continue;  // A positional argument.
    absl::ConsumePrefix(&arg, "-");
    const size_t equals = arg.find('=');
    if (arg.substr(0, equals) != name) continue;
    if (equals != absl::string_view::npos) {
      values.emplace_back(arg.substr(equals + 1));
    } else if (i + 1 < argc) {
      values.emplace_back(argv[++i]);
    }
  }
  return values;
}

}  // namespace mdenas
