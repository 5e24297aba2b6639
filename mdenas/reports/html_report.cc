#include "mdenas/reports/html_report.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "mdenas/reports/epoch_curves.h"
#include "mdenas/reports/svg_charts.h"
#include "mdenas/run/progress.h"

namespace mdenas {
namespace {

constexpr char kStyle[] = R"css(
body { font: 14px/1.4 Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; border-bottom: 1px solid #ccc; }
.path, .protocol { color: #555; margin: 2px 0; }
table { border-collapse: collapse; } td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
table.numbers td { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font: 12px/1.3 Menlo, Consolas, monospace; } pre { background: #f6f6f6; padding: 8px; white-space: pre-wrap; }
#problems { background: #fff3f0; border-left: 4px solid #c0392b; padding: 4px 12px; }
.charts, .drawings, .heatmaps { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
figure { margin: 0; }
svg .title { font-size: 13px; font-weight: bold; } svg .tick, svg .legend { font-size: 11px; fill: #444; }
svg .plot { fill: none; stroke: #999; } svg .grid { stroke: #e3e3e3; } svg .empty { fill: #999; }
@media print { body { margin: 0; } section { break-inside: avoid-page; } .heatmaps svg { break-inside: avoid; } }
)css";

std::string Row(absl::string_view name, absl::string_view html_value) {
  return absl::StrCat("<tr><th>", EscapeHtml(name), "</th><td>", html_value, "</td></tr>\n");
}

std::string Section(absl::string_view id, absl::string_view heading, absl::string_view body) {
  return absl::StrCat("<section id=\"", id, "\">\n<h2>", EscapeHtml(heading), "</h2>\n", body,
                      "</section>\n");
}

std::string SummarySection(const RunResult& result, int planned_epochs) {
  std::string rows;
  if (result.has_space()) rows += Row("space", EscapeHtml(result.space()));
  if (result.has_architecture()) {
    rows += Row(result.has_search_spec() ? "found architecture" : "architecture",
                absl::StrCat("<code>", EscapeHtml(result.architecture()), "</code>"));
  }
  for (const KnownAccuracy& known : result.known_accuracies()) {
    rows += Row(
        absl::StrCat(known.dataset(), " test accuracy (table)"),
        absl::StrFormat("%.2f %% (percentile %.1f)", known.test_accuracy(), known.percentile()));
  }
  if (result.has_known_accuracy_source()) {
    rows +=
        Row("table", absl::StrCat("<code>", EscapeHtml(result.known_accuracy_source()), "</code>"));
  }
  if (result.has_test_top1()) {
    rows += Row("test top-1 / top-5",
                absl::StrFormat("%.2f %% / %.2f %%", result.test_top1(), result.test_top5()));
  }
  if (!result.epochs().empty() && result.has_search_spec()) {
    rows += Row("last validation top-1",
                absl::StrFormat("%.2f %%", result.epochs().rbegin()->valid_top1()));
  }
  rows += Row("epochs", absl::StrCat(result.epochs_size(), " of ", planned_epochs));
  if (result.has_mean_entropy()) {
    rows += Row("mean entropy", absl::StrFormat("%.3f nats", result.mean_entropy()));
  }
  if (result.has_mean_none_probability()) {
    rows += Row("mean p(none)", absl::StrFormat("%.3f", result.mean_none_probability()));
  }
  if (result.has_parameters()) {
    rows += Row("parameters / MACs",
                absl::StrFormat("%.3f M / %.1f M", result.parameters() / 1e6, result.macs() / 1e6));
  }
  if (result.has_data()) rows += Row("data", EscapeHtml(result.data()));
  if (result.has_train_images()) {
    rows += Row(result.has_search_spec() ? "train / validation images" : "train / test images",
                absl::StrCat(result.train_images(), " / ", result.validation_images()));
  }
  if (result.has_device()) rows += Row("device", EscapeHtml(result.device()));
  if (result.has_wall_seconds())
    rows += Row("wall time", absl::StrFormat("%s (%.1f s)", FormatDuration(result.wall_seconds()),
                                             result.wall_seconds()));
  if (result.has_device_hours()) {
    rows += Row("device hours", absl::StrFormat("%.4f", result.device_hours()));
  }
  if (result.has_images_per_second()) {
    rows += Row("training images/s", absl::StrFormat("%.1f", result.images_per_second()));
  }
  if (result.has_peak_rss_bytes()) {
    rows += Row("peak memory", absl::StrFormat("%.0f MiB", result.peak_rss_bytes() / 1048576.0));
  }
  for (const Latency& latency : result.latency()) {
    rows +=
        Row(absl::StrCat("latency, batch ", latency.batch_size()),
            absl::StrFormat("%.2f ms on %s", latency.median_ms(), EscapeHtml(latency.device())));
  }
  return Section("summary", "Result", absl::StrCat("<table>\n", rows, "</table>\n"));
}

std::string ArchitectureSection(const std::vector<Drawing>& drawings) {
  if (drawings.empty()) return "";
  std::string figures;
  for (const Drawing& drawing : drawings) {
    // The <svg> element without the XML prolog and doctype before it.
    const size_t svg = drawing.image.find("<svg");
    absl::StrAppend(&figures, "<figure id=\"drawing-", EscapeHtml(drawing.name), "\">",
                    svg == std::string::npos ? "" : drawing.image.substr(svg), "</figure>\n");
  }
  return Section("architecture", "Architecture",
                 absl::StrCat("<div class=\"drawings\">\n", figures, "</div>\n"));
}

std::string CurvesSection(const RunResult& result) {
  if (result.epochs().empty()) return "";
  std::vector<double> x;
  for (const EpochRecord& record : result.epochs()) x.push_back(record.epoch());
  // Each chart with its curves, in the order of their first curve.
  constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
  std::vector<std::string> titles;
  std::vector<std::vector<Series>> series;
  for (const EpochCurve& curve : EpochCurves(result.has_search_spec())) {
    size_t chart = 0;
    while (chart < titles.size() && titles[chart] != curve.chart) ++chart;
    if (chart == titles.size()) {
      titles.push_back(curve.chart);
      series.emplace_back();
    }
    series[chart].push_back(
        {curve.series, kColors[series[chart].size() % 4], x, CurveValues(result, curve)});
  }
  std::string charts;
  for (size_t chart = 0; chart < titles.size(); ++chart) {
    absl::StrAppend(&charts, LineChart(titles[chart], "epoch", series[chart]), "\n");
  }
  return Section("curves", "Per epoch",
                 absl::StrCat("<div class=\"charts\">\n", charts, "</div>\n"));
}

std::string DistributionSection(const DistributionHistory& history) {
  if (history.empty()) return "";
  std::vector<std::string> epochs;
  for (const int epoch : history.epochs) epochs.push_back(absl::StrCat("epoch ", epoch));
  // One colour scale for all maps, up to the largest probability of the run:
  // searches move far from uniform only late, if at all.
  double largest = 0;
  for (const DistributionHistory::Decision& decision : history.decisions) {
    for (const std::vector<double>& at_epoch : decision.probability) {
      for (const double p : at_epoch) largest = std::max(largest, p);
    }
  }
  std::string maps;
  for (const DistributionHistory::Decision& decision : history.decisions) {
    // [choice][epoch], as the heat map's rows and columns.
    std::vector<std::vector<double>> values(decision.choices.size());
    for (const std::vector<double>& at_epoch : decision.probability) {
      for (size_t c = 0; c < at_epoch.size(); ++c) values[c].push_back(at_epoch[c]);
    }
    absl::StrAppend(
        &maps,
        HeatMap(absl::StrJoin(decision.columns, " "), decision.choices, epochs, values, largest),
        "\n");
  }
  return Section(
      "distribution", "Distributions over the epochs",
      absl::StrCat("<p>The probability of every choice of every decision after each epoch, "
                   "white for 0 to dark blue for ",
                   absl::StrFormat("%.3f", largest),
                   ", the largest of the run (hover for values). Decisions are named by ",
                   EscapeHtml(absl::StrJoin(history.column_names, ", ")), ".</p>\n",
                   "<div class=\"heatmaps\">\n", maps, "</div>\n"));
}

std::string CandidatesSection(const RunResult& result) {
  if (result.candidates().empty()) return "";
  std::string rows = "<tr><th>#</th><th>validation top-1 (%)</th><th>architecture</th></tr>\n";
  for (int i = 0; i < result.candidates_size(); ++i) {
    const ValidatedArchitecture& candidate = result.candidates(i);
    absl::StrAppendFormat(&rows, "<tr><td>%d</td><td>%.2f</td><td><code>%s</code></td></tr>\n",
                          i + 1, candidate.validation_top1(), EscapeHtml(candidate.architecture()));
  }
  return Section("candidates", "Random candidates through the shared weights",
                 absl::StrCat("<table class=\"numbers\">\n", rows, "</table>\n"));
}

std::string EpochsSection(const RunResult& result) {
  if (result.epochs().empty()) return "";
  const char* measured = result.has_search_spec() ? "validation" : "test";
  std::string rows = absl::StrCat(
      "<tr><th>epoch</th><th>learning rate</th><th>train loss</th><th>train top-1</th><th>",
      measured, " top-1</th><th>seconds</th><th>images/s</th><th>skipped steps</th></tr>\n");
  for (const EpochRecord& r : result.epochs()) {
    absl::StrAppendFormat(&rows,
                          "<tr><td>%d</td><td>%.5g</td><td>%.4f</td><td>%.2f</td><td>%.2f</td>"
                          "<td>%.1f</td><td>%.1f</td><td>%d</td></tr>\n",
                          r.epoch(), r.learning_rate(), r.train_loss(), r.train_top1(),
                          r.valid_top1(), r.seconds(), r.images_per_second(), r.skipped_steps());
  }
  return Section("epochs", "Epochs",
                 absl::StrCat("<table class=\"numbers\">\n", rows, "</table>\n"));
}

}  // namespace

std::string HtmlReport(const RunFiles& files) {
  std::string body;
  if (files.result.has_value()) body += SummarySection(*files.result, files.planned_epochs());
  body += ArchitectureSection(files.drawings);
  if (files.result.has_value()) body += CurvesSection(*files.result);
  body += DistributionSection(files.distribution);
  if (files.result.has_value()) {
    body += CandidatesSection(*files.result);
    body += EpochsSection(*files.result);
  }
  if (!files.spec.empty()) {
    body += Section("spec", "Spec", absl::StrCat("<pre>", EscapeHtml(files.spec), "</pre>\n"));
  }

  std::string problem_list;
  for (const std::string& problem : files.problems) {
    absl::StrAppend(&problem_list, "<li><code>", EscapeHtml(problem), "</code></li>\n");
  }
  const std::string kind = !files.result.has_value() ? "run"
                           : files.is_search()       ? "search"
                                                     : "retraining";
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mdenas ", kind,
      ": ", EscapeHtml(files.path), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<header id=\"header\">\n<h1>mdenas ", kind,
      "</h1>\n<p class=\"path\">", EscapeHtml(files.path), "</p>\n",
      files.result.has_value() && files.result->has_protocol()
          ? absl::StrCat("<p class=\"protocol\">", EscapeHtml(files.result->protocol()), "</p>\n")
          : "",
      "</header>\n",
      files.problems.empty() ? ""
                             : Section("problems", "Problems with the run's files",
                                       absl::StrCat("<ul>\n", problem_list, "</ul>\n")),
      body, "</body>\n</html>\n");
}

}  // namespace mdenas
