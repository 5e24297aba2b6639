// c10d reports failures by throwing; the rest of mdenas returns
// absl::Status. These turn one into the other, saying which operation
// failed on which rank.

#ifndef MDENAS_DISTRIBUTED_C10D_CALL_H_
#define MDENAS_DISTRIBUTED_C10D_CALL_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mdenas/distributed/process_group.h"

namespace mdenas {

// The message of a c10d exception, without the C++ backtrace c10 appends.
std::string ExceptionMessage(const std::exception& error);

// Starts a collective with `start` and waits for it at most the world's
// timeout. A failure (a rank exited, or did not come within the timeout)
// becomes an Unavailable error naming `operation`, this rank and the time
// waited. A single process must not call it.
absl::Status RunCollective(
    const World& world, absl::string_view operation,
    const std::function<c10::intrusive_ptr<c10d::Work>(CollectiveGroup&)>& start);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_C10D_CALL_H_
