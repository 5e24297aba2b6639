#include "mdenas/space/spaces.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// A spec that selects no space gets the default one, with its settings'
// defaults; one that selects a space gets that space with its settings.
TEST(SpacesTest, TheSpecSelectsTheSpaceAndItsSettings) {
  EXPECT_THAT(SearchSpaceNames(), Contains("darts"));
  const absl::StatusOr<std::unique_ptr<SearchSpace>> fallback = MakeSearchSpace({});
  ASSERT_TRUE(fallback.ok()) << fallback.status();
  EXPECT_EQ((*fallback)->name(), "darts");
  EXPECT_EQ((*fallback)->Description(), "8 cells x 16 channels");
  EXPECT_EQ((*fallback)->decisions().size(), 28u);

  SearchSpaceSpec spec;
  spec.mutable_darts()->set_nodes(2);
  spec.mutable_darts()->set_layers(5);
  const absl::StatusOr<std::unique_ptr<SearchSpace>> small = MakeSearchSpace(spec);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ((*small)->decisions().size(), 10u);
  EXPECT_EQ((*small)->Description(), "5 cells x 16 channels");
}

TEST(SpacesTest, SelectsTheNb201Space) {
  SearchSpaceSpec spec;
  spec.mutable_nb201()->set_cells_per_stage(2);
  const absl::StatusOr<std::unique_ptr<SearchSpace>> space = MakeSearchSpace(spec);
  ASSERT_TRUE(space.ok()) << space.status();
  EXPECT_EQ((*space)->name(), "nb201");
  EXPECT_EQ((*space)->Description(), "3 stages x 2 cells x 16 channels");
  EXPECT_EQ((*space)->decisions().size(), 6u);
  NetworkSpec network;
  ASSERT_TRUE(SelectSpace("nb201", &network).ok());
  EXPECT_EQ(network.nb201().channels(), 16);
  EXPECT_EQ((*SearchSpaceOf(network))->name(), "nb201");
}

TEST(SpacesTest, ANetworkSpecNamesTheSpaceOfItsArchitecture) {
  NetworkSpec spec;
  const absl::StatusOr<std::unique_ptr<SearchSpace>> space = SearchSpaceOf(spec);
  ASSERT_TRUE(space.ok()) << space.status();
  EXPECT_EQ((*space)->name(), "darts");
}

TEST(SpacesTest, SelectSpaceKeepsTheSettingsOfTheSelectedSpace) {
  NetworkSpec spec;
  spec.mutable_darts()->set_layers(14);
  ASSERT_TRUE(SelectSpace("darts", &spec).ok());
  EXPECT_EQ(spec.darts().layers(), 14);
  SearchSpaceSpec search;
  ASSERT_TRUE(SelectSpace("darts", &search).ok());
  EXPECT_TRUE(search.has_darts());
  EXPECT_THAT(std::string(SelectSpace("nasnet", &search).message()),
              HasSubstr("no search space 'nasnet'; spaces: darts, mobile, nb201"));
}

}  // namespace
}  // namespace mdenas
