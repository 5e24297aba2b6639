#include "mdenas/space/mobile/mobile_architecture.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

constexpr char kMdenasGpu[] =
    "gpu [(7, 6), (5, 6), (7, 3), (3, 6), (5, 6), (3, 1), (7, 3), (7, 6), (3, 3), (3, 6), "
    "(7, 3), (3, 3), (3, 3), (5, 6)]";

TEST(MobileArchitectureTest, ChoicesAreTheNineKernelExpansionPairs) {
  for (int c = 0; c < kMobileChoices; ++c) {
    EXPECT_EQ(MobileChoiceIndex(MobileChoice(c)), c);
  }
  EXPECT_EQ(MobileChoice(0), (MobileGene{3, 1}));
  EXPECT_EQ(MobileChoice(8), (MobileGene{7, 6}));
  EXPECT_EQ(MobileChoiceName(5), "k5_e6");
}

TEST(MobileArchitectureTest, BuiltinsAreThePublishedGenes) {
  const MobileArchitecture gpu = *ParseMobileArchitecture("MDENAS_GPU", CPU);
  EXPECT_EQ(gpu.skeleton, GPU);
  EXPECT_EQ(FormatMobileArchitecture(gpu), kMdenasGpu);
  const MobileArchitecture cpu = *ParseMobileArchitecture("MDENAS_CPU", GPU);
  EXPECT_EQ(cpu.skeleton, CPU);
  ASSERT_EQ(cpu.genes.size(), 20u);
  EXPECT_EQ(cpu.genes[1], (MobileGene{7, 1}));
  EXPECT_EQ(cpu.genes[19], (MobileGene{3, 3}));
  // ProxylessNAS's networks: the skeleton files' own genes.
  const MobileArchitecture proxyless = *ParseMobileArchitecture("PROXYLESS_GPU", GPU);
  EXPECT_EQ(proxyless.genes[0], (MobileGene{3, 1}));
  EXPECT_EQ(proxyless.genes[13], (MobileGene{7, 6}));
  EXPECT_EQ(ParseMobileArchitecture("PROXYLESS_CPU", GPU)->genes.size(), 20u);
}

TEST(MobileArchitectureTest, TextRoundTripsAndTakesTheDefaultSkeleton) {
  const MobileArchitecture parsed = *ParseMobileArchitecture(kMdenasGpu, CPU);
  EXPECT_EQ(FormatMobileArchitecture(parsed), kMdenasGpu);
  // Without a skeleton name, spacing as the authors' scripts write it.
  const std::string bare =
      "[(7,6),(5,6),(7,3),(3,6),(5,6),(3,1),(7,3),(7,6),(3,3),(3,6),(7,3),(3,3),(3,3),(5,6)]";
  EXPECT_EQ(FormatMobileArchitecture(*ParseMobileArchitecture(bare, GPU)), kMdenasGpu);
  EXPECT_EQ(FormatMobileArchitecture(*ParseMobileArchitecture("  GPU " + bare, CPU)), kMdenasGpu);
}

TEST(MobileArchitectureTest, RejectsNameTheFault) {
  const std::string thirteen =
      "[(7,6),(5,6),(7,3),(3,6),(5,6),(3,1),(7,3),(7,6),(3,3),(3,6),(7,3),(3,3),(3,3)]";
  EXPECT_THAT(ParseMobileArchitecture(thirteen, GPU).status().message(),
              HasSubstr("13 genes for the gpu skeleton's 14 slots"));
  EXPECT_THAT(ParseMobileArchitecture("gpu [(7, 6), (4, 6)]", GPU).status().message(),
              HasSubstr("gene 2: kernel 4 is not one of 3, 5, 7"));
  EXPECT_THAT(ParseMobileArchitecture("[(3, 2)]", GPU).status().message(),
              HasSubstr("gene 1: expansion 2 is not one of 1, 3, 6"));
  EXPECT_THAT(ParseMobileArchitecture("tpu [(3, 1)]", GPU).status().message(),
              HasSubstr("'tpu' is neither a skeleton (gpu, cpu) nor a built-in"));
  EXPECT_THAT(ParseMobileArchitecture("[(3, 1) (5, 3)]", GPU).status().message(),
              HasSubstr("character 9: expected ','"));
  EXPECT_THAT(ParseMobileArchitecture("[(3, x)]", GPU).status().message(),
              HasSubstr("character 6: expected a number, found 'x)]'"));
  EXPECT_THAT(ParseMobileArchitecture("[(3, 1)", GPU).status().message(),
              HasSubstr("expected ',', found the end"));
  EXPECT_THAT(ParseMobileArchitecture("[(3, 1)] extra", GPU).status().message(),
              HasSubstr("expected nothing after ']'"));
  EXPECT_FALSE(ParseMobileArchitecture("", GPU).ok());
}

}  // namespace
}  // namespace mdenas
