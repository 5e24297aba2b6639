// With a CUDA libtorch (--config=cuda, the CMake build with MDENAS_CUDA);
// the other builds compile cuda_graph_unavailable.cc.

#include "mdenas/training/cuda_graph.h"

#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/util/Exception.h>

#include <exception>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mdenas {

struct CudaGraph::Recorded {
  at::cuda::CUDAGraph graph;
};

CudaGraph::CudaGraph(std::unique_ptr<Recorded> recorded) : recorded_(std::move(recorded)) {}

CudaGraph::~CudaGraph() = default;

absl::StatusOr<std::unique_ptr<CudaGraph>> CudaGraph::Capture(const std::function<void()>& work) {
  auto recorded = std::make_unique<Recorded>();
  // Capture needs a stream other than the default one; it starts once the
  // work queued so far (the inputs' copies) is done.
  const c10::cuda::CUDAStream queued = c10::cuda::getCurrentCUDAStream();
  const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool();
  at::cuda::CUDAEvent ready;
  ready.record(queued);
  ready.block(side);
  c10::cuda::CUDAStreamGuard on_side(side);
  std::string error;
  try {
    recorded->graph.capture_begin();
    try {
      work();
    } catch (...) {
      // Ends the broken capture, so that the stream and the allocator take
      // ordinary work again, and reports the work's error.
      try {
        recorded->graph.capture_end();
      } catch (const std::exception&) {
      }
      throw;
    }
    recorded->graph.capture_end();
  } catch (const c10::Error& e) {
    error = e.what_without_backtrace();
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("CUDA graph capture failed: ", error));
  }
  return std::unique_ptr<CudaGraph>(new CudaGraph(std::move(recorded)));
}

void CudaGraph::Replay() { recorded_->graph.replay(); }

}  // namespace mdenas
