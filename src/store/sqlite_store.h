// The embedded store: one SQLite database file in WAL mode
// (docs/formats/store.md has its schema).
//
// Durability: synchronous=FULL, so a batch is on disk when PutBatch returns;
// a kill -9 at any point loses no acknowledged batch and leaves no partial
// one. Every statement is prepared once and reused. Migrations bring an
// older file up to the current schema version on open, in one transaction.
//
// Thread-safety: writes are serialised by an internal mutex on one write
// connection; reads run on a pool of read connections, each reading the
// last committed state (WAL readers never wait for the writer). Several
// processes may open the same file; SQLite's locking serialises writers
// (busy timeout 10 s).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "store/store.h"

namespace aisafe::store {

struct SqliteOptions {
  // Create the database if absent. Default: false (opening a missing store
  // is NotFound).
  bool create = false;
  // fsync on every commit. Default: true. Only benchmarks turn it off, to
  // show what durability costs.
  bool durable = true;
  // Read connections, opened on first use; 0 = one per core (at least 2).
  size_t readers = 0;
};

// The schema version this build writes; older files are migrated.
inline constexpr int kSqliteSchemaVersion = 6;

// Opens (or creates) the store at `path`. FailedPrecondition if the file is
// not an aisafe store or was written by a newer version; NotFound if absent
// and !create; Internal for SQLite errors.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options = {});

}  // namespace aisafe::store
