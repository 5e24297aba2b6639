#include "benchmarks/table_command.h"

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "benchmarks/mobile_table.h"
#include "benchmarks/quick_pipeline.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/run/runtime.h"

ABSL_FLAG(std::string, runs, "",
          "Comma-separated result.json files or run directories of searches "
          "and retrainings to add as measured rows.");
ABSL_FLAG(std::string, json_out, "",
          "Where to write the table as JSON; default <table>.json in the "
          "current directory.");
ABSL_FLAG(bool, quick, false,
          "CIFAR-10 only: first run the whole pipeline at CPU scale (search "
          "with the default preset, retrain the derived cell, and retrain "
          "random cells under the same protocol) and add its rows.");
ABSL_FLAG(int, quick_random, 3, "Random genotypes --quick retrains.");
ABSL_FLAG(uint64_t, quick_seed, 1, "Seed of --quick's runs.");
ABSL_FLAG(std::string, quick_out, "",
          "Run directories of --quick; default runs/quick-<timestamp>.");
ABSL_FLAG(std::string, latency_device, "cpu",
          "ImageNet only: where Table 3's latencies are measured: cpu (every core), cuda.");
ABSL_FLAG(int, latency_batch, 8, "ImageNet only: images per timed pass (the authors' 8).");
ABSL_FLAG(int, latency_repeats, 20, "ImageNet only: timed passes per latency (the median).");

namespace mdenas {
namespace {

absl::Status Run(PaperTable table, const char* argv0) {
  if (const int random = absl::GetFlag(FLAGS_quick_random); random < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --quick_random: must be at least 0, got ", random));
  }
  const bool cifar = table == PaperTable::kCifar10;
  Table rows = PaperRows(table);
  const std::vector<std::pair<std::string, bool>> computed =
      cifar ? std::vector<std::pair<std::string, bool>>{{"DARTS_V1", false},
                                                         {"DARTS_V2", false},
                                                         {"MDENAS", true}}
            : std::vector<std::pair<std::string, bool>>{{"DARTS_V2", false},
                                                         {"MDENAS", true}};
  for (const auto& [name, pool_bn] : computed) {
    MDENAS_ASSIGN_OR_RETURN(*rows.add_rows(), ComputedRow(table, name, pool_bn));
  }
  for (absl::string_view path :
       absl::StrSplit(absl::GetFlag(FLAGS_runs), ',', absl::SkipEmpty())) {
    MDENAS_ASSIGN_OR_RETURN(*rows.add_rows(),
                            MeasuredRow(table, UserPath(std::string(path))));
  }
  if (absl::GetFlag(FLAGS_quick)) {
    if (!cifar) {
      return absl::InvalidArgumentError(
          "flag --quick: the CPU-scale pipeline runs on CIFAR-10; use "
          "//benchmarks:cifar10_table");
    }
    const std::string out =
        absl::GetFlag(FLAGS_quick_out).empty()
            ? RunDirectory::DefaultPath() + "-quick"
            : UserPath(absl::GetFlag(FLAGS_quick_out));
    MDENAS_ASSIGN_OR_RETURN(
        const std::vector<QuickRun> runs,
        RunQuickPipeline(argv0, out, absl::GetFlag(FLAGS_quick_random),
                         absl::GetFlag(FLAGS_quick_seed)));
    for (const QuickRun& run : runs) {
      MDENAS_ASSIGN_OR_RETURN(TableRow row, MeasuredRow(table, run.result_path));
      row.set_method(absl::StrCat(run.label, " (--quick)"));
      *rows.add_rows() = row;
    }
  }
  const std::string json_out =
      absl::GetFlag(FLAGS_json_out).empty()
          ? UserPath(cifar ? "cifar10_table.json" : "imagenet_table.json")
          : UserPath(absl::GetFlag(FLAGS_json_out));
  MDENAS_RETURN_IF_ERROR(WriteFileAtomically(json_out, Json(rows)));
  std::cout << Markdown(table, rows) << "\nJSON: " << json_out << "\n";
  if (cifar) return absl::OkStatus();

  // Table 3: the mobile space's networks, sized and timed here.
  RuntimeSpec runtime;
  runtime.set_device(absl::GetFlag(FLAGS_latency_device));
  absl::StatusOr<Runtime> device = SetUpRuntime(runtime);
  if (!device.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --latency_device: ", device.status().message()));
  }
  LatencyProtocol latency;
  latency.device = device->device;
  latency.device_name = device->description;
  latency.batch = absl::GetFlag(FLAGS_latency_batch);
  latency.repeats = absl::GetFlag(FLAGS_latency_repeats);
  if (latency.batch < 1 || latency.repeats < 1) {
    return absl::InvalidArgumentError("flags --latency_batch and --latency_repeats: at least 1");
  }
  MDENAS_ASSIGN_OR_RETURN(const Table mobile, MobileTable(latency));
  const std::string mobile_out =
      absl::StrCat(absl::StripSuffix(json_out, ".json"), "_mobile.json");
  MDENAS_RETURN_IF_ERROR(WriteFileAtomically(mobile_out, Json(mobile)));
  std::cout << "\n" << MobileTableMarkdown(mobile) << "\nJSON: " << mobile_out << "\n";
  return absl::OkStatus();
}

}  // namespace

int TableMain(PaperTable table, int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The paper's table with this project's rows beside it.\n"
      "  [--runs=RUN_DIR_OR_RESULT_JSON,...] [--json_out=FILE] [--quick]");
  mdenas::ParseCommandLine(argc, argv);
  const absl::Status status = Run(table, argv[0]);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace mdenas
