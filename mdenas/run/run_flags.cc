#include "mdenas/run/run_flags.h"

#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/data_location.h"
#include "data/data_spec.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/run/runtime.h"
#include "mdenas/spec/commented_spec.h"
#include "mdenas/spec/flag_occurrences.h"

ABSL_FLAG(std::string, spec, "",
          "The spec in text format; default: the binary's CPU preset.");
ABSL_FLAG(std::string, resume, "",
          "A run directory to continue from its last checkpoint.");
ABSL_FLAG(std::string, epochs, "", "Overrides `epochs`.");
ABSL_FLAG(std::string, batch_size, "", "Overrides `batch_size`.");
ABSL_FLAG(std::string, seed, "", "Overrides `runtime.seed`.");
ABSL_FLAG(std::string, threads, "", "Overrides `runtime.threads`.");
ABSL_FLAG(std::string, device, "", "Overrides `runtime.device`.");
ABSL_FLAG(std::string, kernels, "",
          "Overrides `runtime.kernels`: fast (default) or aten.");
ABSL_FLAG(std::string, precision, "",
          "Overrides `runtime.precision`: float32 (default) or bfloat16 "
          "(autocast; with --kernels=aten).");
ABSL_FLAG(std::string, out, "",
          "Overrides `runtime.output_dir`; default runs/<timestamp>.");
ABSL_FLAG(std::string, data_dir, "",
          "Overrides `data.path`. Default: $MDENAS_DATA, then "
          "../shared/data/cifar10-jpeg beside the workspace, then "
          "Fashion-MNIST from /usr/share/datasets/fashion-mnist.");
ABSL_FLAG(std::string, space, "",
          "Selects the search space by name (darts, mobile, nb201), with its settings at "
          "their defaults unless the spec selects it already; --set may then "
          "change them.");
ABSL_FLAG(std::string, set, "",
          "Comma-separated field=value overrides of any spec field, e.g. "
          "--set=optimizer.learning_rate=0.05,data.max_train_images=2000. "
          "May be given more than once: all apply, in order, so a later "
          "value for a field wins.");
ABSL_FLAG(bool, print_spec, false,
          "Prints the spec that --spec, the field flags and --set give, every "
          "field with its default filled in and its documentation, and exits "
          "without running.");

namespace mdenas {

std::vector<char*> ParseRunCommandLine(int argc, char** argv) {
  std::vector<char*> positional = ParseCommandLine(argc, argv);
  // Abseil keeps the last --set; every one counts.
  const std::vector<std::string> sets = FlagOccurrences("set", argc, argv);
  if (!sets.empty()) absl::SetFlag(&FLAGS_set, absl::StrJoin(sets, ","));
  return positional;
}

std::vector<FieldFlag> RunFieldFlags(std::vector<FieldFlag> extra) {
  std::vector<FieldFlag> flags = {
      {"--epochs", "epochs", absl::GetFlag(FLAGS_epochs)},
      {"--batch_size", "batch_size", absl::GetFlag(FLAGS_batch_size)},
      {"--seed", "runtime.seed", absl::GetFlag(FLAGS_seed)},
      {"--threads", "runtime.threads", absl::GetFlag(FLAGS_threads)},
      {"--device", "runtime.device", absl::GetFlag(FLAGS_device)},
      {"--kernels", "runtime.kernels",
       absl::AsciiStrToUpper(absl::GetFlag(FLAGS_kernels))},
      {"--precision", "runtime.precision",
       absl::AsciiStrToUpper(absl::GetFlag(FLAGS_precision))},
      {"--out", "runtime.output_dir", absl::GetFlag(FLAGS_out)},
      {"--data_dir", "data.path", absl::GetFlag(FLAGS_data_dir)},
  };
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

FieldFlag SpaceFlag(absl::string_view field) {
  const std::string name = absl::GetFlag(FLAGS_space);
  // Text format's empty message: selects the member, keeping what is set.
  if (!name.empty()) return {"--space", absl::StrCat(field, ".", name), "{}"};
  return {"--space", std::string(field), ""};
}

bool PrintSpecFlag() { return absl::GetFlag(FLAGS_print_spec); }

absl::Status PrintSpecFromFlags(const char* argv0,
                                const std::string& default_preset,
                                const std::vector<FieldFlag>& flags,
                                google::protobuf::Message* spec) {
  SpecOrigins origins;
  MDENAS_RETURN_IF_ERROR(
      SpecFromFlags(argv0, default_preset, flags, spec, &origins));
  MDENAS_ASSIGN_OR_RETURN(
      const std::unique_ptr<google::protobuf::DescriptorPool> documented,
      LoadSpecDescriptors(argv0));
  MDENAS_ASSIGN_OR_RETURN(const std::string text,
                          CommentedSpecText(*spec, *documented));
  std::cout << text;
  return absl::OkStatus();
}

std::string ResumeFlag() { return UserPath(absl::GetFlag(FLAGS_resume)); }

bool AnySpecFlag(const std::vector<FieldFlag>& flags) {
  if (!absl::GetFlag(FLAGS_spec).empty() || !absl::GetFlag(FLAGS_set).empty()) {
    return true;
  }
  for (const FieldFlag& flag : flags) {
    if (!flag.value.empty()) return true;
  }
  return false;
}

absl::Status SpecFromFlags(const char* argv0, const std::string& default_preset,
                           const std::vector<FieldFlag>& flags,
                           google::protobuf::Message* spec,
                           SpecOrigins* origins) {
  std::string path = UserPath(absl::GetFlag(FLAGS_spec));
  if (path.empty()) {
    MDENAS_ASSIGN_OR_RETURN(path, RunfilePath(argv0, default_preset));
  }
  return LoadSpecWithFlags(path, flags, absl::GetFlag(FLAGS_set), spec,
                           origins);
}

void CheckNewRun(const SpecOrigins& origins, DataSpec* data,
                 RuntimeSpec* runtime, Problems* problems, std::string* notice) {
  runtime->set_output_dir(runtime->output_dir().empty()
                              ? RunDirectory::DefaultPath()
                              : UserPath(runtime->output_dir()));
  problems->Add(RunDirectory::CheckCreatable(runtime->output_dir()));
  problems->Add(CheckDeviceAvailable(*runtime));
  const absl::Status located =
      LocateData(origins.Find("data.path"), data, notice);
  problems->Add(located);
  if (located.ok()) problems->Add(CheckDataFolder(*data, data->path()));
}

void AlignResumedData(const DataSpec& started, DataSpec* from_flags) {
  if (from_flags->path().empty()) {
    from_flags->set_path(started.path());
    from_flags->set_dataset(started.dataset());
  } else {
    from_flags->set_path(UserPath(from_flags->path()));
  }
}

}  // namespace mdenas
