#include "mdenas/base/problems.h"

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(ProblemsTest, ReportsEveryProblemWithTheFirstCode) {
  Problems problems;
  problems.Add(absl::OkStatus());
  EXPECT_TRUE(problems.empty());
  EXPECT_TRUE(problems.ToStatus().ok());
  problems.Add(absl::NotFoundError("data: /x is not a directory"));
  problems.Add(absl::OkStatus());
  problems.Add(absl::InvalidArgumentError("spec:3:1: field 'epochs': 0"));
  EXPECT_FALSE(problems.empty());
  const absl::Status status = problems.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "data: /x is not a directory\nspec:3:1: field 'epochs': 0");
}

}  // namespace
}  // namespace mdenas
