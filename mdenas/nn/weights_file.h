// Weights files shared with Python: a dict name -> tensor in PyTorch's zip
// format (torch.save's since 1.6).
//
// Writing: torch::pickle_save of a dict, which Python's torch.load reads.
// It tags the dict with torch.jit._pickle.restore_type_tag, a global that
// the default weights_only=True of PyTorch >= 2.6 refuses; there:
//   state = torch.load("weights.pt", weights_only=False)
// (1.13 up to 2.5 default to weights_only=False and need nothing).
//
// Reading: both that and what Python's torch.save(model.state_dict(), f)
// writes, an OrderedDict. libtorch 1.13's own unpickler turns an
// OrderedDict into None, so this reads the pickle itself: the opcodes of
// protocols 2 to 4 that a dict of tensors needs.

#ifndef MDENAS_NN_WEIGHTS_FILE_H_
#define MDENAS_NN_WEIGHTS_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "mdenas/nn/state_dict.h"

namespace mdenas {

// The bytes of a weights file holding `tensors` in their order, on the CPU
// and contiguous.
std::string WeightsFileBytes(const NamedTensors& tensors);

// The dict name -> tensor of the weights file at `path`, in the file's
// order, on the CPU. Errors name the file and what in it is wrong.
absl::StatusOr<NamedTensors> ReadWeightsFile(const std::string& path);

}  // namespace mdenas

#endif  // MDENAS_NN_WEIGHTS_FILE_H_
