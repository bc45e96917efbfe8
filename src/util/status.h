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
