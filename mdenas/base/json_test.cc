#include "mdenas/base/json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The .proto's field names, indented or on one line.
TEST(ProtoJsonTest, FieldNamesAsInTheProto) {
  DataSpec data;
  data.set_max_train_images(20);
  const absl::StatusOr<std::string> indented = ProtoJson(data);
  ASSERT_TRUE(indented.ok()) << indented.status();
  EXPECT_THAT(*indented, HasSubstr("\"max_train_images\": 20"));
  EXPECT_THAT(*indented, HasSubstr("\n"));
  const absl::StatusOr<std::string> line = ProtoJson(data, /*indent=*/false);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, "{\"max_train_images\":20}");
  EXPECT_THAT(*line, Not(HasSubstr("\n")));
}

}  // namespace
}  // namespace mdenas
