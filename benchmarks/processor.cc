#include "benchmarks/processor.h"

#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mdenas/base/file.h"

namespace mdenas {

std::string DescribeProcessor(absl::string_view cpuinfo) {
  // "key<tabs>: value" lines; a blank line ends a processor's block.
  std::map<std::string, std::string> fields;
  for (absl::string_view line : absl::StrSplit(cpuinfo, '\n')) {
    if (absl::StripAsciiWhitespace(line).empty()) {
      if (!fields.empty()) break;
      continue;
    }
    const std::vector<absl::string_view> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
    if (kv.size() != 2) continue;
    fields[std::string(absl::StripAsciiWhitespace(kv[0]))] =
        std::string(absl::StripAsciiWhitespace(kv[1]));
  }
  std::vector<std::string> parts;
  const auto add = [&](const char* key, absl::string_view label) {
    const auto it = fields.find(key);
    if (it != fields.end() && !it->second.empty()) parts.push_back(absl::StrCat(label, it->second));
  };
  add("vendor_id", "");
  add("cpu family", "family ");
  add("model", "model ");
  const auto name = fields.find("model name");
  if (name != fields.end() && !name->second.empty()) {
    parts.push_back(parts.empty() ? name->second : absl::StrCat("(", name->second, ")"));
  }
  return absl::StrJoin(parts, " ");
}

std::string ThisProcessor() {
  const auto cpuinfo = ReadFile("/proc/cpuinfo");
  return cpuinfo.ok() ? DescribeProcessor(*cpuinfo) : "";
}

}  // namespace mdenas
