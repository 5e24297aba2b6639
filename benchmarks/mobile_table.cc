#include "benchmarks/mobile_table.h"

#include <torch/torch.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "eval/latency.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/nn/layers.h"
#include "mdenas/space/network_size.h"
#include "mdenas/space/spaces.h"

namespace mdenas {
namespace {

struct PaperMobileRow {
  const char* method;
  double top1;
  double gpu_days;  // Negative: none (manual designs).
  double latency_ms;
  const char* search;
};

// MDENAS_SPEC.md §3.3 (b): Table 3.
constexpr PaperMobileRow kPaperRows[] = {
    {"MobileNetV2", 72.0, -1, 6.1, "manual"},
    {"ShuffleNetV2", 72.6, -1, 7.3, "manual"},
    {"Proxyless (GPU)", 74.8, 4, 5.1, "gradient-based"},
    {"Proxyless (CPU)", 74.1, 4, 7.4, "gradient-based"},
    {"MdeNAS (GPU)", 75.2, 2, 6.2, "MDL"},
    {"MdeNAS (CPU)", 73.8, 2, 4.8, "MDL"},
};

// The space's networks that are rows of the table.
constexpr std::pair<const char*, const char*> kComputed[] = {
    {"Proxyless (GPU)", "PROXYLESS_GPU"},
    {"Proxyless (CPU)", "PROXYLESS_CPU"},
    {"MdeNAS (GPU)", "MDENAS_GPU"},
    {"MdeNAS (CPU)", "MDENAS_CPU"},
};

std::string Number(bool has, double value, const char* format) {
  return has ? absl::StrFormat(format, value) : "-";
}

}  // namespace

absl::StatusOr<Table> MobileTable(const LatencyProtocol& latency) {
  Table rows;
  rows.set_title("ImageNet, searched in the mobile space (paper Table 3)");
  for (const PaperMobileRow& paper : kPaperRows) {
    TableRow* row = rows.add_rows();
    row->set_source("paper");
    row->set_method(paper.method);
    row->set_top1(paper.top1);
    if (paper.gpu_days >= 0) row->set_search_gpu_days(paper.gpu_days);
    row->set_latency_ms(paper.latency_ms);
    row->set_latency_device("GPU (unstated)");
    row->set_search_method(paper.search);
  }
  NetworkSpec spec;
  spec.mutable_mobile();
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<SearchSpace> space, SearchSpaceOf(spec));
  NetworkInputs inputs = ImageNetInputs();
  // As PyTorch runs a deployed network.
  inputs.kernels = Kernels::kAten;
  for (const auto& [method, name] : kComputed) {
    MDENAS_ASSIGN_OR_RETURN(const Architecture architecture, space->ParseArchitecture(name));
    MDENAS_ASSIGN_OR_RETURN(const std::shared_ptr<Network> network,
                            space->MakeNetwork(architecture, spec, inputs));
    TableRow* row = rows.add_rows();
    row->set_source("computed");
    row->set_method(absl::StrCat(method, ", ", name));
    row->set_genotype(architecture.text);
    row->set_params_millions(CountParameters(*network, false) / 1e6);
    row->set_macs_millions(NetworkMacs(*network, inputs) / 1e6);
    network->to(latency.device);
    const Latency measured =
        MeasureLatency(*network, latency.batch, inputs.channels, inputs.height, inputs.width,
                       latency.device, latency.device_name, latency.warmup, latency.repeats);
    row->set_latency_ms(measured.median_ms());
    row->set_latency_device(latency.device_name);
    row->set_latency_batch(latency.batch);
  }
  rows.add_notes(absl::StrCat(
      "Computed rows: this code's networks of the published genes (MdeNAS: the authors' "
      "run_gpu_imagenet.sh and run_cpu_imagenet.sh; Proxyless: the skeleton files' own), "
      "latency the median of ",
      latency.repeats, " passes after ", latency.warmup, " warm-up ones of ", latency.batch,
      " random 224 px images, evaluation mode. The paper's latencies are GPU latencies of an "
      "unstated device and protocol (the authors' code times batch 8 without synchronising)."));
  return rows;
}

std::string MobileTableMarkdown(const Table& rows) {
  std::string text = absl::StrCat("## ", rows.title(), "\n\n");
  absl::StrAppend(&text,
                  "| Method | Top-1 % | Params M | MACs M | Search GPU-days | Latency ms | "
                  "Latency on | Source |\n|---|---|---|---|---|---|---|---|\n");
  for (const TableRow& row : rows.rows()) {
    const std::string where =
        row.has_latency_batch()
            ? absl::StrCat(row.latency_device(), ", batch ", row.latency_batch())
            : row.latency_device();
    absl::StrAppend(
        &text, absl::StrFormat("| %s | %s | %s | %s | %s | %s | %s | %s |\n", row.method(),
                               Number(row.has_top1(), row.top1(), "%.1f"),
                               Number(row.has_params_millions(), row.params_millions(), "%.2f"),
                               Number(row.has_macs_millions(), row.macs_millions(), "%.0f"),
                               Number(row.has_search_gpu_days(), row.search_gpu_days(), "%g"),
                               Number(row.has_latency_ms(), row.latency_ms(), "%.1f"), where,
                               row.source()));
  }
  for (const std::string& note : rows.notes()) absl::StrAppend(&text, "\n", note, "\n");
  return text;
}

}  // namespace mdenas
