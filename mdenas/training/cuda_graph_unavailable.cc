// Without a CUDA libtorch (Debian's is CPU-only): nothing to capture on.

#include <utility>

#include "absl/status/status.h"
#include "mdenas/training/cuda_graph.h"

namespace mdenas {

struct CudaGraph::Recorded {};

CudaGraph::CudaGraph(std::unique_ptr<Recorded> recorded) : recorded_(std::move(recorded)) {}

CudaGraph::~CudaGraph() = default;

absl::StatusOr<std::unique_ptr<CudaGraph>> CudaGraph::Capture(const std::function<void()>&) {
  return absl::FailedPreconditionError(
      "this libtorch has no CUDA (Debian's is CPU-only): build with --config=cuda");
}

void CudaGraph::Replay() {}

}  // namespace mdenas
