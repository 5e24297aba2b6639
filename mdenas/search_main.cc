// //mdenas:search: loads a SearchSpec, applies flag overrides, validates it
// and prints the resolved spec. The search itself lands with the learner and
// the epoch driver.

#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "mdenas/base/file.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/spec/spec_flags.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/spec/spec_validation.h"
#include "tools/cpp/runfiles/runfiles.h"

ABSL_FLAG(std::string, spec, "",
          "SearchSpec in text format; default: the CPU preset "
          "benchmarks/specs/cpu_default.textproto");
ABSL_FLAG(std::string, epochs, "", "Overrides `epochs`.");
ABSL_FLAG(std::string, batch_size, "", "Overrides `batch_size`.");
ABSL_FLAG(std::string, seed, "", "Overrides `runtime.seed`.");
ABSL_FLAG(std::string, threads, "", "Overrides `runtime.threads`.");
ABSL_FLAG(std::string, device, "", "Overrides `runtime.device`.");
ABSL_FLAG(std::string, out, "", "Overrides `runtime.output_dir`.");
ABSL_FLAG(std::string, data_dir, "", "Overrides `data.path`.");
ABSL_FLAG(std::string, set, "",
          "Comma-separated field=value overrides of any spec field, e.g. "
          "--set=optimizer.learning_rate=0.05,space.layers=5");

namespace mdenas {
namespace {

constexpr char kDefaultSpec[] = "mdenas/benchmarks/specs/cpu_default.textproto";

int Main(const char* argv0) {
  std::string spec_path = absl::GetFlag(FLAGS_spec);
  if (spec_path.empty()) {
    std::string error;
    std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
        bazel::tools::cpp::runfiles::Runfiles::Create(argv0, &error));
    if (runfiles == nullptr) {
      std::cerr << "error: cannot find the default spec: " << error << "\n";
      return 1;
    }
    spec_path = runfiles->Rlocation(kDefaultSpec);
  } else {
    spec_path = UserPath(spec_path);
  }
  SearchSpec spec;
  SpecOrigins origins;
  absl::Status status = LoadSpecFile(spec_path, &spec, &origins);
  if (status.ok()) {
    status = ApplyFieldFlags(
        {
            {"--epochs", "epochs", absl::GetFlag(FLAGS_epochs)},
            {"--batch_size", "batch_size", absl::GetFlag(FLAGS_batch_size)},
            {"--seed", "runtime.seed", absl::GetFlag(FLAGS_seed)},
            {"--threads", "runtime.threads", absl::GetFlag(FLAGS_threads)},
            {"--device", "runtime.device", absl::GetFlag(FLAGS_device)},
            {"--out", "runtime.output_dir", absl::GetFlag(FLAGS_out)},
            {"--data_dir", "data.path", absl::GetFlag(FLAGS_data_dir)},
        },
        absl::GetFlag(FLAGS_set), &spec, &origins);
  }
  if (status.ok()) status = ValidateSpec(spec, origins);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 2;
  }
  std::cout << ResolvedSpecText(spec);
  return 0;
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Neural architecture search by multinomial distribution learning.\n"
      "  search [--spec=FILE] [--epochs=N] [--set=field=value,...]");
  absl::ParseCommandLine(argc, argv);
  return mdenas::Main(argv[0]);
}
