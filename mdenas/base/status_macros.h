// Early-return helpers for absl::Status and absl::StatusOr<T>.
// Abseil 20220623 has none of its own; these are the only ones in the tree.

#ifndef MDENAS_BASE_STATUS_MACROS_H_
#define MDENAS_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define MDENAS_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    const ::absl::Status mdenas_status_ = (expr);    \
    if (!mdenas_status_.ok()) return mdenas_status_; \
  } while (false)

// Evaluates `expr` (an absl::StatusOr<T>); returns its status if not OK,
// otherwise moves its value into `lhs`, which may be a declaration:
//   MDENAS_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
#define MDENAS_ASSIGN_OR_RETURN(lhs, expr)                                    \
  MDENAS_ASSIGN_OR_RETURN_IMPL_(MDENAS_STATUS_CONCAT_(mdenas_or_, __LINE__), \
                                lhs, expr)

#define MDENAS_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                  \
  if (!result.ok()) return std::move(result).status();   \
  lhs = std::move(result).value()

#define MDENAS_STATUS_CONCAT_INNER_(a, b) a##b
#define MDENAS_STATUS_CONCAT_(a, b) MDENAS_STATUS_CONCAT_INNER_(a, b)

#endif  // MDENAS_BASE_STATUS_MACROS_H_
