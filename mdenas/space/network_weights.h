// A network's weights as a file Python loads into the space's reference
// model, and such a file (or one Python saved) loaded into a network: the
// names and order are Network::ReferenceStateDict()'s, the format
// mdenas/nn/weights_file.h's. In Python (PyTorch 1.13 or later):
//
//   state = torch.load("weights.pt", weights_only=False)
//   model.load_state_dict(state)  # e.g. DARTS's NetworkCIFAR(36, 10, 20, True, genotype)
//
// weights_only=False is needed from PyTorch 2.6 on, whose default
// weights_only=True refuses the dict's type tag
// (torch.jit._pickle.restore_type_tag); 1.13 to 2.5 default to it. The
// other way round, torch.save(model.state_dict(), f) writes a file that
// LoadNetworkWeights reads.

#ifndef MDENAS_SPACE_NETWORK_WEIGHTS_H_
#define MDENAS_SPACE_NETWORK_WEIGHTS_H_

#include <string>

#include "absl/status/status.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

// The bytes of `network`'s weights file.
std::string NetworkWeightsBytes(const Network& network);

// Fills every parameter and buffer of `network` from the weights file at
// `path`, which must hold exactly the network's names with the network's
// shapes; otherwise changes nothing and names the file and every key that
// is missing, unknown or of another shape.
absl::Status LoadNetworkWeights(const std::string& path, Network* network);

}  // namespace mdenas

#endif  // MDENAS_SPACE_NETWORK_WEIGHTS_H_
