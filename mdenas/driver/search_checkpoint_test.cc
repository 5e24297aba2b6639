#include "mdenas/driver/search_checkpoint.h"

#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/supernet.h"
#include "mdenas/training/sgd.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// A checkpoint written by //mdenas:search (1 cell of 2 channels, one
// intermediate node, 1 epoch), kept as the checkpoint fuzzer's seed after
// the fuzzer's mode byte. It must stay readable: if this test fails, the
// format changed and the version must be bumped.
constexpr char kSeed[] = "fuzz/corpus/checkpoint/file_one_cell_one_node.bin";

std::string SeedCheckpoint() { return ReadFile(kSeed)->substr(1); }

struct Objects {
  Supernet network{SupernetOptions().layers(1).init_channels(2).nodes(1)};
  std::unique_ptr<torch::optim::SGD> optimizer =
      MakeSgd(OptimizerSpec(), network->parameters());
  MultinomialLearner learner{2 * CellEdgeCount(1), 8, {}};
  Rng sampler;
  SearchState state() {
    return {&learner, network.get(), optimizer.get(), &sampler};
  }
};

TEST(SearchCheckpointTest, AWrittenCheckpointRestores) {
  const absl::StatusOr<SearchCheckpoint> checkpoint =
      ParseSearchCheckpoint(SeedCheckpoint(), kSeed);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->epochs_done(), 1);
  EXPECT_EQ(checkpoint->spec().space().darts().nodes(), 1);
  Objects objects;
  const absl::Status status = RestoreSearchState(*checkpoint, 1, objects.state());
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(objects.learner.ToProto().SerializeAsString(),
            checkpoint->learner().SerializeAsString());
}

TEST(SearchCheckpointTest, PartsThatDoNotFitAreErrors) {
  const SearchCheckpoint good = *ParseSearchCheckpoint(SeedCheckpoint(), kSeed);
  Objects objects;
  EXPECT_THAT(std::string(RestoreSearchState(good, 0, objects.state()).message()),
              HasSubstr("inconsistent epoch count 1"));
  SearchCheckpoint bad = good;
  bad.mutable_network()->mutable_tensors(0)->add_shape(2);
  EXPECT_THAT(std::string(RestoreSearchState(bad, 1, objects.state()).message()),
              HasSubstr("has shape"));
  bad = good;
  bad.set_sampler_rng("not a generator");
  EXPECT_THAT(std::string(RestoreSearchState(bad, 1, objects.state()).message()),
              HasSubstr("unreadable sampler state"));
  bad = good;
  bad.mutable_learner()->mutable_edges()->RemoveLast();
  EXPECT_THAT(std::string(RestoreSearchState(bad, 1, objects.state()).message()),
              HasSubstr("learner state has 3 edges"));
}

}  // namespace
}  // namespace mdenas
