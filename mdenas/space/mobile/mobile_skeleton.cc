#include "mdenas/space/mobile/mobile_skeleton.h"

#include <algorithm>
#include <cmath>

namespace mdenas {
namespace {

constexpr SkeletonBlock kSkip{/*slot=*/false};

SkeletonBlock Slot(int64_t in, int64_t out, int64_t stride, bool shortcut, int kernel,
                   int expansion) {
  return {true, in, out, stride, shortcut, kernel, expansion};
}

// gpu.config, block by block.
MobileSkeleton Gpu() {
  MobileSkeleton s;
  s.name = GPU;
  s.first_conv_channels = 40;
  s.blocks = {
      Slot(40, 24, 1, false, 3, 1),
      Slot(24, 32, 2, false, 5, 3),
      kSkip,
      kSkip,
      kSkip,
      Slot(32, 56, 2, false, 7, 3),
      kSkip,
      kSkip,
      Slot(56, 56, 1, true, 3, 3),
      Slot(56, 112, 2, false, 7, 6),
      kSkip,
      kSkip,
      Slot(112, 112, 1, true, 5, 3),
      Slot(112, 128, 1, false, 5, 6),
      kSkip,
      Slot(128, 128, 1, true, 3, 3),
      Slot(128, 128, 1, true, 5, 3),
      Slot(128, 256, 2, false, 7, 6),
      Slot(256, 256, 1, true, 7, 6),
      Slot(256, 256, 1, true, 7, 6),
      Slot(256, 256, 1, true, 5, 6),
      Slot(256, 432, 1, false, 7, 6),
  };
  s.feature_mix_channels = 1728;
  return s;
}

// cpu.config, block by block.
MobileSkeleton Cpu() {
  MobileSkeleton s;
  s.name = CPU;
  s.first_conv_channels = 40;
  s.blocks = {
      Slot(40, 24, 1, false, 3, 1),
      Slot(24, 32, 2, false, 3, 6),
      Slot(32, 32, 1, true, 3, 3),
      Slot(32, 32, 1, true, 3, 3),
      Slot(32, 32, 1, true, 3, 3),
      Slot(32, 48, 2, false, 3, 6),
      Slot(48, 48, 1, true, 3, 3),
      Slot(48, 48, 1, true, 3, 3),
      Slot(48, 48, 1, true, 5, 3),
      Slot(48, 88, 2, false, 3, 6),
      kSkip,
      kSkip,
      Slot(88, 88, 1, true, 3, 3),
      Slot(88, 104, 1, false, 5, 6),
      Slot(104, 104, 1, true, 3, 3),
      Slot(104, 104, 1, true, 3, 3),
      Slot(104, 104, 1, true, 3, 3),
      Slot(104, 216, 2, false, 5, 6),
      Slot(216, 216, 1, true, 5, 3),
      Slot(216, 216, 1, true, 5, 3),
      Slot(216, 216, 1, true, 3, 3),
      Slot(216, 360, 1, false, 5, 6),
  };
  s.feature_mix_channels = 1432;
  return s;
}

}  // namespace

std::vector<int> MobileSkeleton::SlotBlocks() const {
  std::vector<int> slots;
  for (int b = 0; b < static_cast<int>(blocks.size()); ++b) {
    if (blocks[b].slot) slots.push_back(b);
  }
  return slots;
}

std::string SkeletonText(MobileSkeletonName name) { return name == CPU ? "cpu" : "gpu"; }

const MobileSkeleton& Skeleton(MobileSkeletonName name) {
  static const MobileSkeleton* const gpu = new MobileSkeleton(Gpu());
  static const MobileSkeleton* const cpu = new MobileSkeleton(Cpu());
  return name == CPU ? *cpu : *gpu;
}

MobileSkeleton ForSmallImages(MobileSkeleton skeleton) {
  skeleton.first_conv_stride = 1;
  for (SkeletonBlock& block : skeleton.blocks) {
    if (block.slot && block.stride == 2) {
      block.stride = 1;
      break;
    }
  }
  return skeleton;
}

MobileSkeleton ScaleChannels(MobileSkeleton skeleton, double scale) {
  const auto scaled = [scale](int64_t channels) {
    return std::max<int64_t>(1, std::llround(static_cast<double>(channels) * scale));
  };
  skeleton.first_conv_channels = scaled(skeleton.first_conv_channels);
  for (SkeletonBlock& block : skeleton.blocks) {
    block.in_channels = scaled(block.in_channels);
    block.out_channels = scaled(block.out_channels);
  }
  skeleton.feature_mix_channels = scaled(skeleton.feature_mix_channels);
  return skeleton;
}

}  // namespace mdenas
