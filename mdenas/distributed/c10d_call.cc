#include "mdenas/distributed/c10d_call.h"

#include <c10/util/Exception.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace mdenas {

std::string ExceptionMessage(const std::exception& error) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&error)) {
    return c10_error->what_without_backtrace();
  }
  return error.what();
}

absl::Status RunCollective(
    const World& world, absl::string_view operation,
    const std::function<c10::intrusive_ptr<c10d::Work>(CollectiveGroup&)>& start) {
  const absl::Time started = absl::Now();
  try {
    c10::intrusive_ptr<c10d::Work> work = start(*world.process_group());
    work->wait(absl::ToChronoMilliseconds(world.timeout()));
    return absl::OkStatus();
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat(
        operation, " failed on ", world.WhoAmI(), " after ",
        absl::StrFormat("%.1fs", absl::ToDoubleSeconds(absl::Now() - started)), " (timeout ",
        absl::FormatDuration(world.timeout()), "): ", ExceptionMessage(error), "\n",
        world.world_size() == 2 ? absl::StrCat("rank ", 1 - world.rank(), " has")
                                : "another rank has",
        " probably exited or stopped; its own output says why"));
  }
}

}  // namespace mdenas
