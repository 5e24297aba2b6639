#include "benchmarks/nb201_study_methods.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "eval/kendall_tau.h"

namespace mdenas {
namespace {

Nb201StudyMethod Method(const std::string& name, const std::string& origin,
                        const std::string& description, LearnerSpec::Sampling sampling,
                        LearnerSpec::Update update, int warmup_epochs, int random_candidates) {
  Nb201StudyMethod method;
  method.set_name(name);
  method.set_origin(origin);
  method.set_description(description);
  method.set_sampling(sampling);
  method.set_update(update);
  method.set_warmup_epochs(warmup_epochs);
  method.set_random_candidates(random_candidates);
  return method;
}

MeanStd Statistics(const std::vector<double>& values) {
  MeanStd out;
  double sum = 0;
  for (double value : values) sum += value;
  const double mean = sum / values.size();
  double squares = 0;
  for (double value : values) squares += (value - mean) * (value - mean);
  out.set_mean(mean);
  out.set_std(values.size() > 1 ? std::sqrt(squares / (values.size() - 1)) : 0.0);
  return out;
}

// The table's accuracy of `dataset` (or its percentile) among `known`, or NaN.
double Known(const google::protobuf::RepeatedPtrField<KnownAccuracy>& known,
             const std::string& dataset, bool percentile) {
  for (const KnownAccuracy& accuracy : known) {
    if (accuracy.dataset() == dataset) {
      return percentile ? accuracy.percentile() : accuracy.test_accuracy();
    }
  }
  return std::nan("");
}
double Known(const Nb201StudyRun& run, const std::string& dataset, bool percentile) {
  return Known(run.known_accuracies(), dataset, percentile);
}

std::string MeanStdText(const MeanStd& value, const char* format) {
  return absl::StrCat(absl::StrFormat(format, value.mean()), " ± ",
                      absl::StrFormat(format, value.std()));
}

}  // namespace

std::vector<Nb201StudyMethod> Nb201StudyMethods(int epochs, int candidates) {
  return {
      Method("paper", "paper",
             "one path per epoch, trained and validated; the vector rule "
             "(MDENAS_SPEC.md §2.3)",
             LearnerSpec::PER_EPOCH, LearnerSpec::VECTOR_CLAMP, 0, 0),
      Method("authors_code", "authors' code",
             "one path per epoch; pairwise transfer (XNAS CategoricalMDENAS)",
             LearnerSpec::PER_EPOCH, LearnerSpec::PAIRWISE_TRANSFER, 0, 0),
      Method("per_batch", "UniNAS",
             "a path per training batch and per validation batch (H^e counts steps, H^a "
             "is the epoch's mean); the vector rule",
             LearnerSpec::PER_BATCH, LearnerSpec::VECTOR_CLAMP, 0, 0),
      Method("accuracy_rank", "ours",
             absl::StrCat("a path per batch; ACCURACY_RANK (only this epoch's accuracies "
                          "compared, H^e ignored) after ",
                          epochs / 4, " epochs of uniform sampling"),
             LearnerSpec::PER_BATCH, LearnerSpec::ACCURACY_RANK, epochs / 4, 0),
      Method("rsps", "baseline",
             absl::StrCat("uniform paths per batch for every epoch, then the best of ",
                          candidates, " random architectures on the validation split"),
             LearnerSpec::PER_BATCH, LearnerSpec::VECTOR_CLAMP, epochs, candidates),
  };
}

SearchSpec MethodSpec(const SearchSpec& base, const Nb201StudyMethod& method, uint64_t seed,
                      const std::string& output_dir) {
  SearchSpec spec = base;
  spec.mutable_learner()->set_sampling(method.sampling());
  spec.mutable_learner()->set_update(method.update());
  spec.mutable_learner()->set_warmup_epochs(method.warmup_epochs());
  spec.set_random_candidates(method.random_candidates());
  spec.mutable_runtime()->set_seed(seed);
  spec.mutable_runtime()->set_output_dir(output_dir);
  return spec;
}

Nb201StudyRun StudyRun(const Nb201StudyMethod& method, uint64_t seed, const RunResult& result,
                       const std::string& run_directory) {
  Nb201StudyRun run;
  run.set_method(method.name());
  run.set_seed(seed);
  run.set_architecture(result.architecture());
  *run.mutable_known_accuracies() = result.known_accuracies();
  run.set_wall_seconds(result.wall_seconds());
  run.set_mean_entropy(result.mean_entropy());
  run.set_run_directory(run_directory);
  std::vector<double> validation, table;
  for (const ValidatedArchitecture& candidate : result.candidates()) {
    const double cifar10 = Known(candidate.known_accuracies(), "cifar10", false);
    if (std::isnan(cifar10)) continue;
    validation.push_back(candidate.validation_top1());
    table.push_back(cifar10);
  }
  if (table.size() >= 2) {
    run.set_candidates_tau(KendallTau(validation, table));
    run.set_best_candidate_cifar10(*std::max_element(table.begin(), table.end()));
  }
  return run;
}

std::vector<Nb201StudySummary> Summarize(const std::vector<Nb201StudyMethod>& methods,
                                         const std::vector<Nb201StudyRun>& runs) {
  std::vector<Nb201StudySummary> summaries;
  for (const Nb201StudyMethod& method : methods) {
    std::vector<const Nb201StudyRun*> own;
    for (const Nb201StudyRun& run : runs) {
      if (run.method() == method.name()) own.push_back(&run);
    }
    if (own.empty()) continue;
    auto over_runs = [&](const std::function<double(const Nb201StudyRun&)>& value) {
      std::vector<double> values;
      for (const Nb201StudyRun* run : own) values.push_back(value(*run));
      return Statistics(values);
    };
    std::vector<double> taus, best_candidates;
    for (const Nb201StudyRun* run : own) {
      if (!run->has_candidates_tau()) continue;
      taus.push_back(run->candidates_tau());
      best_candidates.push_back(run->best_candidate_cifar10());
    }
    Nb201StudySummary summary;
    summary.set_method(method.name());
    summary.set_origin(method.origin());
    summary.set_runs(static_cast<int>(own.size()));
    *summary.mutable_cifar10() =
        over_runs([](const Nb201StudyRun& run) { return Known(run, "cifar10", false); });
    *summary.mutable_cifar100() =
        over_runs([](const Nb201StudyRun& run) { return Known(run, "cifar100", false); });
    *summary.mutable_imagenet16_120() =
        over_runs([](const Nb201StudyRun& run) { return Known(run, "imagenet16_120", false); });
    *summary.mutable_cifar10_percentile() =
        over_runs([](const Nb201StudyRun& run) { return Known(run, "cifar10", true); });
    *summary.mutable_wall_seconds() =
        over_runs([](const Nb201StudyRun& run) { return run.wall_seconds(); });
    if (!taus.empty()) {
      *summary.mutable_candidates_tau() = Statistics(taus);
      *summary.mutable_best_candidate_cifar10() = Statistics(best_candidates);
    }
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

std::vector<PublishedNb201Result> PublishedNb201Results() {
  const std::pair<const char*, double> rows[] = {
      {"DARTS", 54.30},   {"ENAS", 53.89},      {"RSPS", 87.66},
      {"SETN", 87.64},    {"GDAS", 93.61},      {"REINFORCE", 93.85},
      {"DrNAS", 94.36},   {"optimum", 94.37},   {"random architecture (mean)", 87.06},
      {"random architecture (median)", 90.75},
  };
  std::vector<PublishedNb201Result> results;
  for (const auto& [method, cifar10] : rows) {
    PublishedNb201Result& result = results.emplace_back();
    result.set_method(method);
    result.set_cifar10(cifar10);
  }
  return results;
}

std::string StudyMarkdown(const Nb201Study& study) {
  std::string md =
      "| method | origin | runs | CIFAR-10 | CIFAR-100 | ImageNet16-120 | CIFAR-10 percentile "
      "| search time (s) |\n|---|---|---|---|---|---|---|---|\n";
  for (const Nb201StudySummary& summary : study.summaries()) {
    absl::StrAppend(&md, absl::StrFormat(
                             "| %s | %s | %d | %s | %s | %s | %s | %s |\n", summary.method(),
                             summary.origin(), summary.runs(),
                             MeanStdText(summary.cifar10(), "%.2f"),
                             MeanStdText(summary.cifar100(), "%.2f"),
                             MeanStdText(summary.imagenet16_120(), "%.2f"),
                             MeanStdText(summary.cifar10_percentile(), "%.1f"),
                             MeanStdText(summary.wall_seconds(), "%.0f")));
  }
  for (const Nb201StudySummary& summary : study.summaries()) {
    if (!summary.has_candidates_tau()) continue;
    absl::StrAppend(
        &md, absl::StrFormat(
                 "\n%s: Kendall's tau between the shared weights' ranking of the random "
                 "candidates (validation top-1) and the table's CIFAR-10 ranking %s; the best "
                 "candidate's CIFAR-10 accuracy %s (what a perfect ranking would have found)\n",
                 summary.method(), MeanStdText(summary.candidates_tau(), "%.3f"),
                 MeanStdText(summary.best_candidate_cifar10(), "%.2f")));
  }
  absl::StrAppend(&md,
                  "\n| method | seed | architecture | CIFAR-10 | percentile | search time (s) | "
                  "candidates' tau | processor |\n|---|---|---|---|---|---|---|---|\n");
  for (const Nb201StudyRun& run : study.runs()) {
    absl::StrAppend(
        &md, absl::StrFormat(
                 "| %s | %d | `%s` | %.2f | %.1f | %.0f | %s | %s |\n", run.method(), run.seed(),
                 run.architecture(), Known(run, "cifar10", false), Known(run, "cifar10", true),
                 run.wall_seconds(),
                 run.has_candidates_tau() ? absl::StrFormat("%.3f", run.candidates_tau()) : "–",
                 run.processor()));
  }
  absl::StrAppend(&md, "\npublished (CIFAR-10 test accuracy, %):\n\n| method | CIFAR-10 |\n"
                       "|---|---|\n");
  for (const PublishedNb201Result& result : study.published()) {
    absl::StrAppend(&md, absl::StrFormat("| %s | %.2f |\n", result.method(), result.cifar10()));
  }
  return md;
}

}  // namespace mdenas
