#include "mdenas/spec/flag_occurrences.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> SetValues(std::vector<const char*> argv) {
  return FlagOccurrences("set", static_cast<int>(argv.size()), argv.data());
}

TEST(FlagOccurrencesTest, EveryFormInOrder) {
  EXPECT_THAT(SetValues({"search", "--set=a=1", "-set=b=2", "--set", "c=3",
                         "-set", "d=4", "--set="}),
              ElementsAre("a=1", "b=2", "c=3", "d=4", ""));
}

TEST(FlagOccurrencesTest, OnlyThatFlag) {
  EXPECT_THAT(SetValues({"search", "--settings=x", "--epochs=3", "--spec",
                         "s.textproto", "positional", "--set=a=1"}),
              ElementsAre("a=1"));
}

TEST(FlagOccurrencesTest, StopsWhereTheFlagsEnd) {
  EXPECT_THAT(SetValues({"search", "--set=a=1", "--", "--set=b=2"}),
              ElementsAre("a=1"));
  EXPECT_THAT(SetValues({"--set=a=1"}), IsEmpty());  // argv[0].
  EXPECT_THAT(SetValues({"search", "--set"}), IsEmpty());  // No value.
}

}  // namespace
}  // namespace mdenas
