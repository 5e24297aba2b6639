// The one place that tells libtorch's two c10d interfaces apart: the class
// that Gloo's and NCCL's process groups both implement is c10d::Backend
// since PyTorch 2.0 (a c10d::ProcessGroup there holds backends by device)
// and c10d::ProcessGroup itself before (Debian's 1.13).

#ifndef MDENAS_DISTRIBUTED_COLLECTIVE_GROUP_H_
#define MDENAS_DISTRIBUTED_COLLECTIVE_GROUP_H_

#include <torch/version.h>

#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif

namespace mdenas {

#if TORCH_VERSION_MAJOR >= 2
using CollectiveGroup = c10d::Backend;
#else
using CollectiveGroup = c10d::ProcessGroup;
#endif

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_COLLECTIVE_GROUP_H_
