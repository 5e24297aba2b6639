#include "mdenas/space/mobile/latency_table.h"

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/space/mobile/mobile_architecture.h"
#include "mdenas/space/mobile/mobile_network.h"

namespace mdenas {
namespace {

constexpr char kFixed[] = "fixed";

absl::Status LineError(const std::string& name, int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(name, ":", line, ": ", what));
}

absl::StatusOr<double> Milliseconds(absl::string_view text, const std::string& name, int line) {
  double ms = 0;
  if (!absl::SimpleAtod(text, &ms) || !std::isfinite(ms) || ms <= 0) {
    return LineError(name, line,
                     absl::StrCat("'", text, "' is not a positive number of milliseconds"));
  }
  return ms;
}

}  // namespace

double MobileLatencyTable::Predict(absl::Span<const int> path) const {
  double ms = fixed_ms;
  for (size_t s = 0; s < path.size(); ++s) ms += block_ms.at(s).at(path[s]);
  return ms;
}

std::string FormatMobileLatencyTable(const MobileLatencyTable& table) {
  std::string text =
      absl::StrCat("skeleton,", SkeletonText(table.skeleton), "\nimage,", table.image, "\nbatch,",
                   table.batch, "\ndevice,", table.device, "\nprotocol,", table.protocol, "\n");
  absl::StrAppend(&text, kFixed, ",,", table.fixed_ms, "\n");
  for (size_t s = 0; s < table.block_ms.size(); ++s) {
    for (int c = 0; c < kMobileChoices; ++c) {
      absl::StrAppend(&text, s + 1, ",", MobileChoiceName(c), ",", table.block_ms[s][c], "\n");
    }
  }
  return text;
}

absl::StatusOr<MobileLatencyTable> ParseMobileLatencyTable(const std::string& text,
                                                           const std::string& name) {
  MobileLatencyTable table;
  std::map<std::string, std::string> settings;
  bool has_fixed = false;
  std::map<std::pair<int, int>, int> seen;  // (slot, choice) -> line
  std::map<std::string, int> choice_of;
  for (int c = 0; c < kMobileChoices; ++c) choice_of[MobileChoiceName(c)] = c;
  int line = 0;
  for (absl::string_view row : absl::StrSplit(text, '\n')) {
    ++line;
    if (absl::StripAsciiWhitespace(row).empty()) continue;
    // A setting's value is the rest of the line (a protocol holds commas).
    const std::pair<std::string, std::string> setting =
        absl::StrSplit(row, absl::MaxSplits(',', 1));
    const std::string& key = setting.first;
    const std::string& value = setting.second;
    if (key == "skeleton" || key == "image" || key == "batch" || key == "device" ||
        key == "protocol") {
      settings[key] = value;
      if (key == "skeleton") {
        if (value != "gpu" && value != "cpu") {
          return LineError(name, line,
                           absl::StrCat("skeleton '", value, "' is neither gpu nor cpu"));
        }
        table.skeleton = value == "cpu" ? CPU : GPU;
        table.block_ms.assign(Skeleton(table.skeleton).SlotBlocks().size(),
                              std::vector<double>(kMobileChoices, 0));
      } else if (key == "image" || key == "batch") {
        int count = 0;
        if (!absl::SimpleAtoi(value, &count) || count < 1) {
          return LineError(name, line, absl::StrCat(key, " '", value, "' is not a positive count"));
        }
        (key == "image" ? table.image : table.batch) = count;
      } else {
        (key == "device" ? table.device : table.protocol) = value;
      }
      continue;
    }
    const std::vector<std::string> fields = absl::StrSplit(row, ',');
    if (fields.size() != 3) {
      return LineError(name, line,
                       absl::StrCat("'", key,
                                    "' is no setting, and the line is not "
                                    "slot,choice,milliseconds"));
    }
    if (settings.count("skeleton") == 0) {
      return LineError(name, line, "the skeleton setting must come before the times");
    }
    MDENAS_ASSIGN_OR_RETURN(const double ms, Milliseconds(fields[2], name, line));
    if (fields[0] == kFixed) {
      if (has_fixed) return LineError(name, line, "a second 'fixed' time");
      has_fixed = true;
      table.fixed_ms = ms;
      continue;
    }
    int slot = 0;
    const int slots = static_cast<int>(table.block_ms.size());
    if (!absl::SimpleAtoi(fields[0], &slot) || slot < 1 || slot > slots) {
      return LineError(name, line,
                       absl::StrCat("slot '", fields[0], "' is not 1..", slots, " or 'fixed'"));
    }
    const auto choice = choice_of.find(fields[1]);
    if (choice == choice_of.end()) {
      return LineError(name, line, absl::StrCat("unknown block '", fields[1], "'"));
    }
    const auto [it, fresh] = seen.emplace(std::pair{slot, choice->second}, line);
    if (!fresh) {
      return LineError(
          name, line,
          absl::StrCat("slot ", slot, " ", fields[1], " again (first on line ", it->second, ")"));
    }
    table.block_ms[slot - 1][choice->second] = ms;
  }
  for (const char* key : {"skeleton", "image", "batch", "device"}) {
    if (settings.count(key) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": no '", key, "' setting"));
    }
  }
  if (!has_fixed) return absl::InvalidArgumentError(absl::StrCat(name, ": no 'fixed' time"));
  for (size_t s = 0; s < table.block_ms.size(); ++s) {
    for (int c = 0; c < kMobileChoices; ++c) {
      if (seen.count({static_cast<int>(s) + 1, c}) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": no time for slot ", s + 1, " ", MobileChoiceName(c)));
      }
    }
  }
  return table;
}

absl::StatusOr<MobileLatencyTable> ReadMobileLatencyTable(const std::string& path) {
  MDENAS_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  return ParseMobileLatencyTable(text, path);
}

MobileLatencyTable MeasureMobileLatencyTable(
    MobileSkeletonName name, const NetworkInputs& inputs, int batch, const torch::Device& device,
    const std::function<double(const std::function<void()>& pass)>& median_ms) {
  torch::NoGradGuard no_grad;
  const MobileSkeleton skeleton = SkeletonFor(name, inputs);
  MobileLatencyTable table;
  table.skeleton = name;
  table.image = static_cast<int>(inputs.height);
  table.batch = batch;
  const auto wait = [](const torch::Tensor& out) { out.sum().item<float>(); };
  // The first conv and the head, on the shapes they see in a network.
  MobileConv first_conv = MakeFirstConv(skeleton, inputs);
  first_conv->to(device);
  first_conv->eval();
  const torch::Tensor images =
      torch::randn({batch, inputs.channels, inputs.height, inputs.width}, device);
  torch::Tensor features = first_conv->forward(images);
  double ms = median_ms([&] { wait(first_conv->forward(images)); });
  for (const int b : skeleton.SlotBlocks()) {
    const SkeletonBlock& block = skeleton.blocks[b];
    std::vector<double>& slot = table.block_ms.emplace_back();
    torch::Tensor next;
    for (int c = 0; c < kMobileChoices; ++c) {
      MobileInvertedBlock module(block, MobileChoice(c), inputs.kernels);
      module->to(device);
      module->eval();
      slot.push_back(median_ms([&] { wait(module->forward(features)); }));
      if (c == 0) next = module->forward(features);
    }
    features = next;
  }
  // The head alone: a network's feature mix, pooling and classifier.
  MobileHead head = MakeHead(skeleton, inputs);
  head.feature_mix->to(device);
  head.feature_mix->eval();
  head.classifier->to(device);
  ms += median_ms([&] { wait(head.forward(features, 0, false)); });
  table.fixed_ms = ms;
  return table;
}

}  // namespace mdenas
