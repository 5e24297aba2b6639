// The committed search_step baseline stays comparable with what today's
// search_step writes: //benchmarks:compare refuses a run whose settings
// differ from the baseline's, so a setting search_step writes (stop 16:
// `device`) must be named in the baseline too.

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmarks/regression.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"

namespace mdenas {
namespace {

// The names of the settings `settings` has set.
std::set<std::string> SettingNames(const SearchStepSettings& settings) {
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  settings.GetReflection()->ListFields(settings, &fields);
  std::set<std::string> names;
  for (const auto* field : fields) names.insert(field->name());
  return names;
}

TEST(BaselinesTest, TheSearchStepBaselineNamesEverySettingSearchStepWrites) {
  const auto baseline_path = RunfilePath(nullptr, "benchmarks/baselines/search_step.json");
  const auto search_step = RunfilePath(nullptr, "benchmarks/search_step");
  ASSERT_TRUE(baseline_path.ok()) << baseline_path.status();
  ASSERT_TRUE(search_step.ok()) << search_step.status();
  // A tiny run.
  const std::string out = absl::StrCat(std::getenv("TEST_TMPDIR"), "/search_step.json");
  const ProcessResult run = RunProcess(
      {*search_step, "--configurations=fast", "--init_channels=4", "--layers=2",
       "--batch_size=2", "--image_size=8", "--threads=1", "--steps=1", "--warmup_steps=1",
       "--repeats=1", "--seed=3", absl::StrCat("--out=", out)});
  ASSERT_TRUE(run.exited && run.exit_code == 0) << run.output;

  const auto baseline = ReadSearchStepJson(*baseline_path);
  const auto written = ReadSearchStepJson(out);
  ASSERT_TRUE(baseline.ok()) << baseline.status();
  ASSERT_TRUE(written.ok()) << written.status();
  const std::set<std::string> written_names = SettingNames(written->settings());
  // search_step writes every setting but the other spaces' sizes (the
  // baseline's is DARTS: not NAS-Bench-201's channels and cells_per_stage,
  // nor the mobile space's channel_percent); the baseline must name them
  // all.
  EXPECT_EQ(written_names.size(),
            static_cast<size_t>(SearchStepSettings::descriptor()->field_count()) - 3);
  EXPECT_EQ(written_names.count("channels") + written_names.count("cells_per_stage") +
                written_names.count("channel_percent"),
            0u);
  EXPECT_THAT(SettingNames(baseline->settings()), testing::IsSupersetOf(written_names));
}

}  // namespace
}  // namespace mdenas
