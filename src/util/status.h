// One table maps error codes to what callers outside the library see: the
// command line's exit status now, HTTP statuses later. Errors are values
// (absl::Status); no exception crosses a component boundary.
#pragma once

#include "absl/status/status.h"

namespace aisafe::util {

// INTERFACES.md: 0 on success, 2 on bad usage or invalid input (nothing
// stored), 1 on any other failure (faults of the environment).
//
//   InvalidArgument, AlreadyExists, OutOfRange  -> 2 (the caller's input)
//   everything else (IO errors, permissions, a foreign or missing data
//   directory, corruption)                      -> 1
int ExitCode(const absl::Status& status);

}  // namespace aisafe::util

// Returns early from the enclosing function with the error status of `expr`.
#define AISAFE_RETURN_IF_ERROR(expr)            \
  do {                                          \
    if (absl::Status _st = (expr); !_st.ok()) { \
      return _st;                               \
    }                                           \
  } while (0)

#define AISAFE_CONCAT_INNER(a, b) a##b
#define AISAFE_CONCAT(a, b) AISAFE_CONCAT_INNER(a, b)
#define AISAFE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(*tmp)

// Evaluates `expr` (a StatusOr); on error returns its status, otherwise
// assigns the value to `lhs` (which may be a declaration).
#define AISAFE_ASSIGN_OR_RETURN(lhs, expr) AISAFE_ASSIGN_OR_RETURN_IMPL(AISAFE_CONCAT(_statusor_, __LINE__), lhs, expr)
