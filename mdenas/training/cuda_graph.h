// Work on a CUDA device recorded once as a CUDA graph and replayed: every
// replay launches all of its kernels at once, on the same memory, without
// the host's per-operation dispatch that bounds small steps on a fast GPU.
//
//   MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<CudaGraph> graph,
//                           CudaGraph::Capture([&] { y.copy_(x * 2); }));
//   x.copy_(next);  // the recorded work reads and writes the same tensors
//   graph->Replay();
//
// Built from cuda_graph.cc with a CUDA libtorch (--config=cuda),
// cuda_graph_unavailable.cc otherwise.

#ifndef MDENAS_TRAINING_CUDA_GRAPH_H_
#define MDENAS_TRAINING_CUDA_GRAPH_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"

namespace mdenas {

class CudaGraph {
 public:
  // Records `work`, CUDA operations on the current device, on a stream of
  // its own, without running it. Memory that the work allocates belongs
  // to the graph while it lives. An error where the work does what a graph
  // cannot hold (waits for the device, copies to the host, throws), or
  // where this libtorch has no CUDA.
  static absl::StatusOr<std::unique_ptr<CudaGraph>> Capture(const std::function<void()>& work);

  ~CudaGraph();
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;

  // Runs the recorded work on the current stream.
  void Replay();

 private:
  struct Recorded;
  explicit CudaGraph(std::unique_ptr<Recorded> recorded);

  std::unique_ptr<Recorded> recorded_;
};

}  // namespace mdenas

#endif  // MDENAS_TRAINING_CUDA_GRAPH_H_
