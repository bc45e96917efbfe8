// Small, durable file operations. Every error names the path.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace aisafe::util {

// Reads a whole file. NotFound when absent; PermissionDenied when
// unreadable; Internal for other IO errors.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Reads at most `limit` bytes of standard input or a file ("-" = stdin);
// OutOfRange if there is more.
absl::StatusOr<std::string> ReadInput(const std::string& path, size_t limit);

// Writes `data` to `path` durably and atomically: a temporary file in the
// same directory, fsync, rename over `path`, fsync of the directory. The
// file gets `mode` (e.g. 0600) before any byte is written to it.
absl::Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode);

// Creates the directory (mode 0700) if absent; FailedPrecondition if the path
// exists and is not a directory.
absl::Status EnsureDirectory(const std::string& path);

// fsyncs a directory so renames and creations inside it are durable.
absl::Status SyncDirectory(const std::string& path);

// Puts directory `from` in the place of directory `to` (which may be
// absent): `to` is renamed aside to `to`.old, `from` renamed to `to`, and
// the old one removed. Not atomic: between the two renames `to` is absent.
absl::Status ReplaceDirectory(const std::string& from, const std::string& to);

}  // namespace aisafe::util
