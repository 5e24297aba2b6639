// The command line of every binary: absl::ParseCommandLine, with a --help
// that lists the binary's flags. Abseil's own --help lists only the flags of
// the file named like the program (search.cc or search_main.cc), which left
// out those a library defines, such as mdenas/run/run_flags.cc's.

#ifndef MDENAS_BASE_COMMAND_LINE_H_
#define MDENAS_BASE_COMMAND_LINE_H_

#include <vector>

namespace mdenas {

// Parses the command line as absl::ParseCommandLine does, returning the
// program name and the positional arguments. --help and --helpshort list the
// flags of every file of this project the binary links, not Abseil's own
// (--flagfile, ...), which --helpfull still lists.
std::vector<char*> ParseCommandLine(int argc, char** argv);

}  // namespace mdenas

#endif  // MDENAS_BASE_COMMAND_LINE_H_
