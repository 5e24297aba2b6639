// The authors' mobile network skeletons (paper/mobile/gpu.config and
// cpu.config, ProxylessNAS's GPU and CPU layouts) as data: a first conv, 22
// blocks, a feature-mix 1x1 conv and a classifier. A block is either a
// searchable slot (an inverted-residual block whose kernel and expansion a
// gene sets) or a skip (the files' ZeroLayer with an identity shortcut:
// the input passes through).

#ifndef MDENAS_SPACE_MOBILE_MOBILE_SKELETON_H_
#define MDENAS_SPACE_MOBILE_MOBILE_SKELETON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mdenas/space/mobile/mobile_spec.pb.h"

namespace mdenas {

struct SkeletonBlock {
  // False for a skip block; its other fields are then unused.
  bool slot = true;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t stride = 1;
  // Adds the block's input to its output (only where the shapes agree).
  bool shortcut = false;
  // The file's own kernel and expansion: ProxylessNAS's found network.
  int kernel = 3;
  int expansion = 1;
};

struct MobileSkeleton {
  MobileSkeletonName name = GPU;
  int64_t first_conv_channels = 0;
  int64_t first_conv_stride = 2;
  std::vector<SkeletonBlock> blocks;
  int64_t feature_mix_channels = 0;

  // Indices into `blocks` of the searchable slots, in order.
  std::vector<int> SlotBlocks() const;
  int64_t last_channels() const { return blocks.back().out_channels; }
};

// The lower-case name, as architecture texts carry it: "gpu", "cpu".
std::string SkeletonText(MobileSkeletonName name);

const MobileSkeleton& Skeleton(MobileSkeletonName name);

// `skeleton` for images smaller than 64 px (CIFAR's 32): the first conv and
// the first stride-2 slot keep stride 1, so that 32 px end at 4x4 rather
// than 1x1 (as ProxylessNAS's CIFAR networks keep the early resolution).
// Ours: the authors searched on ImageNet only.
MobileSkeleton ForSmallImages(MobileSkeleton skeleton);

// `skeleton` with every channel count times `scale`, rounded, at least 1
// (MobileSupernetSpec.channel_scale).
MobileSkeleton ScaleChannels(MobileSkeleton skeleton, double scale);

}  // namespace mdenas

#endif  // MDENAS_SPACE_MOBILE_MOBILE_SKELETON_H_
