#include "mdenas/space/load_architecture.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/space/spaces.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(const absl::StatusOr<Architecture>& architecture) {
  return std::string(architecture.status().message());
}

// The DARTS space's architectures, named as a user names them.
TEST(LoadArchitectureTest, TakesNamesTextFilesAndRunDirectories) {
  const std::unique_ptr<SearchSpace> space = *MakeSearchSpace({});
  const Architecture mdenas = *space->ParseArchitecture("MDENAS");
  EXPECT_EQ(*LoadArchitecture(*space, "MDENAS"), mdenas);
  EXPECT_EQ(*LoadArchitecture(*space, mdenas.text), mdenas);
  EXPECT_FALSE(IsArchitecturePath(*space, mdenas.text));
  EXPECT_FALSE(IsArchitecturePath(*space, "MDENAS"));

  const std::string run = JoinPath(std::getenv("TEST_TMPDIR"), "run");
  ASSERT_TRUE(MakeDirectories(run).ok());
  ASSERT_TRUE(WriteFileAtomically(JoinPath(run, kArchitectureFile), mdenas.text + "\n").ok());
  EXPECT_TRUE(IsArchitecturePath(*space, run));
  EXPECT_EQ(*LoadArchitecture(*space, run), mdenas);
  EXPECT_EQ(*LoadArchitecture(*space, JoinPath(run, kArchitectureFile)), mdenas);

  EXPECT_THAT(ErrorOf(LoadArchitecture(*space, "Genotype(normal=[('conv_9x9', 0)")),
              HasSubstr("found the end of the text"));
  EXPECT_THAT(ErrorOf(LoadArchitecture(*space, "DARTS_V3")),
              HasSubstr("darts architecture 'DARTS_V3' is neither a built-in (DARTS_V1, "
                        "DARTS_V2, MDENAS), nor its text form, nor a file or run directory"));
  const std::string bad = JoinPath(run, "bad.txt");
  ASSERT_TRUE(WriteFileAtomically(bad,
                                  "Genotype(normal=[('conv_1x1', 0), ('skip_connect', 1)], "
                                  "normal_concat=[2], reduce=[('skip_connect', 0), "
                                  "('skip_connect', 1)], reduce_concat=[2])")
                  .ok());
  EXPECT_THAT(ErrorOf(LoadArchitecture(*space, bad)),
              HasSubstr(bad + ": normal cell, edge 0 (node 2): unknown operation 'conv_1x1'"));
}

}  // namespace
}  // namespace mdenas
