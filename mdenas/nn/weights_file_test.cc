#include "mdenas/nn/weights_file.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

std::string TempFile(const std::string& name, const std::string& contents) {
  const std::string path = JoinPath(std::getenv("TEST_TMPDIR"), name);
  EXPECT_TRUE(WriteFileAtomically(path, contents).ok());
  return path;
}

std::string Bytes(const c10::IValue& value) {
  const std::vector<char> bytes = torch::pickle_save(value);
  return std::string(bytes.begin(), bytes.end());
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(WeightsFileTest, ReadsWhatItWritesInOrder) {
  const NamedTensors written = {
      {"stem.0.weight", torch::randn({4, 3, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast)},
      {"stem.1.num_batches_tracked", torch::tensor(12, torch::kLong)},
      {"a.bias", torch::randn({4}, torch::requires_grad())}};
  const std::string path = TempFile("written.pt", WeightsFileBytes(written));
  const absl::StatusOr<NamedTensors> read = ReadWeightsFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), written.size());
  for (size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ((*read)[i].first, written[i].first);
    EXPECT_EQ((*read)[i].second.dtype(), written[i].second.dtype());
    EXPECT_TRUE(torch::equal((*read)[i].second, written[i].second.detach())) << written[i].first;
  }
}

// Written by testdata/make_python_state_dicts.py: torch.save of a
// state_dict (an OrderedDict with _metadata), in pickle protocols 2 and 4.
TEST(WeightsFileTest, ReadsPythonStateDicts) {
  for (const char* file : {"python_state_dict.pt", "python_state_dict_protocol4.pt"}) {
    const absl::StatusOr<std::string> path =
        RunfilePath(nullptr, std::string("mdenas/nn/testdata/") + file);
    ASSERT_TRUE(path.ok()) << path.status();
    const absl::StatusOr<NamedTensors> read = ReadWeightsFile(*path);
    ASSERT_TRUE(read.ok()) << read.status();
    std::vector<std::string> names;
    for (const auto& [name, tensor] : *read) names.push_back(name);
    EXPECT_THAT(names, ::testing::ElementsAre("0.weight", "1.weight", "1.bias", "1.running_mean",
                                              "1.running_var", "1.num_batches_tracked"));
    EXPECT_TRUE(torch::equal((*read)[0].second, torch::tensor({1.5f, -2.0f}).view({2, 1, 1, 1})));
    EXPECT_TRUE(torch::equal((*read)[3].second, torch::tensor({0.25f, 0.5f})));
    EXPECT_EQ((*read)[5].second.item<int64_t>(), 7);
  }
}

TEST(WeightsFileTest, ErrorsNameTheFileAndTheFault) {
  EXPECT_THAT(Message(ReadWeightsFile("/nonexistent/w.pt").status()),
              HasSubstr("cannot read /nonexistent/w.pt"));
  const std::string text = TempFile("text.pt", "not a zip");
  EXPECT_THAT(Message(ReadWeightsFile(text).status()),
              HasSubstr(text + ": not a PyTorch zip file"));
  const std::string tensor = TempFile("tensor.pt", Bytes(torch::ones({2})));
  EXPECT_THAT(Message(ReadWeightsFile(tensor).status()),
              HasSubstr(tensor + ": holds a tensor, not a dict name -> tensor"));
  c10::Dict<std::string, int64_t> numbers;
  numbers.insert("epoch", 3);
  const std::string ints = TempFile("ints.pt", Bytes(numbers));
  EXPECT_THAT(Message(ReadWeightsFile(ints).status()),
              HasSubstr(ints + ": key 'epoch' holds a int, not a tensor"));
}

}  // namespace
}  // namespace mdenas
