// Addresses of this host: the one its traffic to another host leaves from,
// and a free port on loopback.

#ifndef MDENAS_DISTRIBUTED_LOCAL_ADDRESS_H_
#define MDENAS_DISTRIBUTED_LOCAL_ADDRESS_H_

#include <string>

#include "absl/status/statusor.h"

namespace mdenas {

// This host's address (numeric, IPv4 or IPv6) on the route to `host`:`port`,
// as the kernel's routing table chooses it; 127.0.0.1 for 127.0.0.1. Sends
// nothing: it connects a UDP socket and reads back its local end.
absl::StatusOr<std::string> LocalAddressTowards(const std::string& host, int port);

// A TCP port on 127.0.0.1 that nothing listens on now (the system picks
// it; another process may take it before it is used).
absl::StatusOr<int> FreeLoopbackPort();

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_LOCAL_ADDRESS_H_
