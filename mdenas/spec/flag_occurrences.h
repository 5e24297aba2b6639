// Every value a command line gives one flag. absl::ParseCommandLine keeps
// only the last occurrence of a flag; a flag whose occurrences add up (the
// binaries' --set) reads them all from here.

#ifndef MDENAS_SPEC_FLAG_OCCURRENCES_H_
#define MDENAS_SPEC_FLAG_OCCURRENCES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mdenas {

// The values of flag `name` in `argv` (argv[0] is the program), in order, in
// the forms absl::ParseCommandLine reads for a flag that takes a value:
// "--name=value" and "--name value", with one dash or two. Stops at "--",
// which ends the flags. Flags in a --flagfile are not seen.
std::vector<std::string> FlagOccurrences(absl::string_view name, int argc,
                                         const char* const* argv);

}  // namespace mdenas

#endif  // MDENAS_SPEC_FLAG_OCCURRENCES_H_
