#include "store/sqlite_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "util/strings.h"

namespace aisafe::store {
namespace {

// "AISF": marks the file as an aisafe store (PRAGMA application_id).
constexpr int32_t kApplicationId = 0x41495346;

// Migration i takes the schema from version i to i + 1. Append only; never
// edit a migration that has shipped.
constexpr std::array<const char*, kSqliteSchemaVersion> kMigrations = {
    // 0 -> 1: records, submissions, meta.
    R"sql(
CREATE TABLE records (
  seq        INTEGER PRIMARY KEY,
  id         BLOB    NOT NULL UNIQUE CHECK (length(id) = 32),
  type       TEXT    NOT NULL,
  origin     TEXT    NOT NULL,
  tlp        TEXT    NOT NULL,
  created    TEXT    NOT NULL,
  created_us INTEGER NOT NULL,
  canonical  BLOB    NOT NULL
);
CREATE INDEX records_by_time ON records (created_us DESC, seq DESC);
CREATE INDEX records_by_type_time ON records (type, created_us DESC, seq DESC);
CREATE TABLE submissions (
  digest BLOB PRIMARY KEY CHECK (length(digest) = 32),
  id     BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
)sql",
    // 1 -> 2: the transparency log. Records stored before it are appended
    // in arrival order when the store opens (SqliteStore::AppendUnlogged).
    R"sql(
ALTER TABLE records ADD COLUMN log_index INTEGER;
CREATE UNIQUE INDEX records_by_log_index ON records (log_index);
CREATE TABLE log_tiles (
  level INTEGER NOT NULL CHECK (level BETWEEN -1 AND 63),
  idx   INTEGER NOT NULL CHECK (idx >= 0),
  width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 256),
  data  BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE log_checkpoints (
  size       INTEGER PRIMARY KEY CHECK (size >= 0),
  created_us INTEGER NOT NULL,
  note       TEXT    NOT NULL
);
)sql",
    // 2 -> 3: principals and their API tokens (hashes only).
    R"sql(
CREATE TABLE principals (
  name       TEXT    PRIMARY KEY,
  role       TEXT    NOT NULL,
  created_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE tokens (
  id         TEXT    PRIMARY KEY CHECK (length(id) = 16),
  hash       BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
  principal  TEXT    NOT NULL REFERENCES principals (name) ON DELETE CASCADE,
  created_us INTEGER NOT NULL,
  expires_us INTEGER,
  revoked_us INTEGER
);
CREATE INDEX tokens_by_principal ON tokens (principal);
)sql",
    // 3 -> 4: federation: members, peers, other logs' checkpoints, the
    // witness state, origin proofs of received records, split views.
    R"sql(
CREATE TABLE members (
  name     TEXT    PRIMARY KEY,
  vkey     TEXT    NOT NULL,
  country  TEXT    NOT NULL,
  added_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE peers (
  name         TEXT    PRIMARY KEY REFERENCES members (name),
  url          TEXT    NOT NULL,
  added_us     INTEGER NOT NULL,
  cursor       TEXT    NOT NULL DEFAULT '',
  last_sync_us INTEGER,
  last_error   TEXT    NOT NULL DEFAULT '',
  received     INTEGER NOT NULL DEFAULT 0,
  rejected     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE foreign_checkpoints (
  id      INTEGER PRIMARY KEY,
  origin  TEXT    NOT NULL,
  size    INTEGER NOT NULL CHECK (size >= 0),
  root    BLOB    NOT NULL CHECK (length(root) = 32),
  note    TEXT    NOT NULL,
  source  TEXT    NOT NULL,
  seen_us INTEGER NOT NULL,
  UNIQUE (origin, size, root)
);
CREATE TABLE witnessed (
  origin     TEXT    PRIMARY KEY,
  checkpoint INTEGER NOT NULL REFERENCES foreign_checkpoints (id),
  cosigned   TEXT    NOT NULL,
  updated_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE origin_proofs (
  seq          INTEGER PRIMARY KEY REFERENCES records (seq),
  origin_index INTEGER NOT NULL CHECK (origin_index >= 0),
  checkpoint   INTEGER NOT NULL REFERENCES foreign_checkpoints (id),
  proof        BLOB    NOT NULL CHECK (length(proof) % 32 = 0)
) WITHOUT ROWID;
CREATE TABLE split_views (
  id         INTEGER PRIMARY KEY,
  origin     TEXT    NOT NULL,
  first      TEXT    NOT NULL,
  second     TEXT    NOT NULL,
  reason     TEXT    NOT NULL,
  source     TEXT    NOT NULL,
  raised_us  INTEGER NOT NULL,
  cleared_us INTEGER,
  cleared_by TEXT    NOT NULL DEFAULT '',
  UNIQUE (origin, first, second)
);
)sql",
    // 4 -> 5: record counts by day, for the dashboard (issue 7). A trigger
    // keeps them in the transaction that stores each record, so they can
    // never disagree with the records table; the migration counts the
    // records already stored. `country` is '' in the row that counts each
    // record once, else one of the countries it names. `origin` is kept
    // for red records only (their visibility depends on it), so a day has
    // at most types x markings x (countries + 1) rows.
    R"sql(
CREATE TABLE record_counts (
  country TEXT    NOT NULL,
  day     INTEGER NOT NULL,
  type    TEXT    NOT NULL,
  tlp     TEXT    NOT NULL,
  origin  TEXT    NOT NULL,
  n       INTEGER NOT NULL CHECK (n > 0),
  PRIMARY KEY (country, day, type, tlp, origin)
) WITHOUT ROWID;
CREATE TRIGGER records_counted AFTER INSERT ON records BEGIN
  INSERT INTO record_counts
    VALUES ('', (NEW.created_us - ((NEW.created_us % 86400000000) + 86400000000) % 86400000000) / 86400000000,
            NEW.type, NEW.tlp, CASE WHEN NEW.tlp = 'red' THEN NEW.origin ELSE '' END, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
  INSERT INTO record_counts
    SELECT DISTINCT value,
           (NEW.created_us - ((NEW.created_us % 86400000000) + 86400000000) % 86400000000) / 86400000000,
           NEW.type, NEW.tlp, CASE WHEN NEW.tlp = 'red' THEN NEW.origin ELSE '' END, 1
    FROM json_each(CAST(NEW.canonical AS TEXT), '$.countries') WHERE type = 'text'
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
INSERT INTO record_counts
  SELECT '', (created_us - ((created_us % 86400000000) + 86400000000) % 86400000000) / 86400000000 AS d,
         type, tlp, CASE WHEN tlp = 'red' THEN origin ELSE '' END AS o, count(*)
  FROM records GROUP BY d, type, tlp, o;
INSERT INTO record_counts
  SELECT c.value, (r.created_us - ((r.created_us % 86400000000) + 86400000000) % 86400000000) / 86400000000 AS d,
         r.type, r.tlp, CASE WHEN r.tlp = 'red' THEN r.origin ELSE '' END AS o, count(*)
  FROM records r, json_each(CAST(r.canonical AS TEXT), '$.countries') c WHERE c.type = 'text'
  GROUP BY c.value, d, r.type, r.tlp, o;
)sql",
    // 5 -> 6: the store counts the records it stores itself, from the
    // countries the caller passes (NewRecord::countries), a few upserts per
    // batch; the trigger parsed every record's JSON again and cost the write
    // transaction a quarter of its speed (docs/performance.md).
    R"sql(
DROP TRIGGER records_counted;
)sql",
};

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(s_); }
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// Resets a statement when leaving a scope, so it never holds a read
// transaction open.
class Reset {
 public:
  explicit Reset(sqlite3_stmt* s) : s_(s) {}
  ~Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

 private:
  sqlite3_stmt* s_;
};

void BindBlob(sqlite3_stmt* s, int i, const void* p, size_t n) { sqlite3_bind_blob64(s, i, p, n, SQLITE_STATIC); }
void BindText(sqlite3_stmt* s, int i, std::string_view t) {
  // An empty view may have a null data(), which SQLite would bind as NULL.
  sqlite3_bind_text64(s, i, t.data() ? t.data() : "", t.size(), SQLITE_STATIC, SQLITE_UTF8);
}
void BindOptionalInt(sqlite3_stmt* s, int i, const std::optional<int64_t>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, *v);
  } else {
    sqlite3_bind_null(s, i);
  }
}
std::string ColumnString(sqlite3_stmt* s, int i) {
  const void* p = sqlite3_column_blob(s, i);
  int n = sqlite3_column_bytes(s, i);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}
RecordId ColumnId(sqlite3_stmt* s, int i) {
  RecordId id{};
  const void* p = sqlite3_column_blob(s, i);
  if (p != nullptr && sqlite3_column_bytes(s, i) == 32) std::memcpy(id.data(), p, 32);
  return id;
}
std::optional<int64_t> ColumnOptionalInt(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(s, i);
}

// One SQLite connection and its prepared statements. Not thread-safe: its
// owner serialises access (the writer under SqliteStore::mu_, each reader
// under its slot's mutex).
class Conn {
 public:
  Conn(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    stmts_.clear();
    sqlite3_close_v2(db_);
  }

  // Opens a connection to an existing store file.
  static absl::StatusOr<std::unique_ptr<Conn>> Open(const std::string& path, bool create) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = util::StrCat("cannot open ", path, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
      sqlite3_close_v2(db);
      return (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_PERM ? absl::PermissionDeniedError(msg)
                                                                          : absl::InternalError(msg);
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    return std::make_unique<Conn>(db, path);
  }

  sqlite3* db() const { return db_; }

  absl::Status Error(std::string_view what) const {
    int code = sqlite3_extended_errcode(db_);
    std::string msg = util::StrCat(path_, ": ", what, ": ", sqlite3_errmsg(db_));
    if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) return absl::DataLossError(msg);
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) return absl::UnavailableError(msg);
    if ((code & 0xff) == SQLITE_READONLY || (code & 0xff) == SQLITE_PERM || (code & 0xff) == SQLITE_CANTOPEN) {
      return absl::PermissionDeniedError(msg);
    }
    return absl::InternalError(msg);
  }
  absl::Status Exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return Error(util::StrCat("cannot run \"", std::string_view(sql).substr(0, 40), "\": ", msg));
    }
    return absl::OkStatus();
  }
  // The cached prepared statement for `sql` (a string literal).
  absl::StatusOr<sqlite3_stmt*> Prepare(const char* sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return it->second.get();
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
      return Error("cannot prepare statement");
    }
    return stmts_.emplace(sql, Stmt(s)).first->second.get();
  }
  void ForgetStatements() { stmts_.clear(); }
  absl::StatusOr<int64_t> QueryInt(const char* sql) {
    auto s = Prepare(sql);
    if (!s.ok()) return s.status();
    Reset reset(*s);
    if (sqlite3_step(*s) != SQLITE_ROW) return Error(util::StrCat("cannot run ", sql));
    return sqlite3_column_int64(*s, 0);
  }
  // Runs `body` in a BEGIN IMMEDIATE transaction; rolls back on error.
  template <typename Body>
  absl::Status InWriteTransaction(Body body) {
    if (auto st = Exec("BEGIN IMMEDIATE"); !st.ok()) return st;
    absl::Status st = body();
    if (st.ok()) st = Exec("COMMIT");
    if (!st.ok()) (void)Exec("ROLLBACK");
    return st;
  }

 private:
  sqlite3* const db_;
  const std::string path_;
  absl::flat_hash_map<const char*, Stmt> stmts_;
};

StoredRecord ReadRecordRow(sqlite3_stmt* s) {
  StoredRecord r;
  r.seq = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
  r.id = ColumnId(s, 1);
  r.type = ColumnString(s, 2);
  r.origin = ColumnString(s, 3);
  r.tlp = ColumnString(s, 4);
  r.created = ColumnString(s, 5);
  r.created_us = sqlite3_column_int64(s, 6);
  r.canonical = ColumnString(s, 7);
  r.log_index = static_cast<uint64_t>(sqlite3_column_int64(s, 8));
  return r;
}

StoredToken ReadTokenRow(sqlite3_stmt* s) {
  StoredToken t;
  t.id = ColumnString(s, 0);
  t.hash = ColumnId(s, 1);
  t.principal = ColumnString(s, 2);
  t.created_us = sqlite3_column_int64(s, 3);
  t.expires_us = ColumnOptionalInt(s, 4);
  t.revoked_us = ColumnOptionalInt(s, 5);
  return t;
}

// Queries any connection may run; the writer runs them inside its
// transactions, readers on their own snapshot.
absl::StatusOr<std::optional<log::StoredTile>> ReadTileOn(Conn& c, int level, uint64_t index) {
  auto s = c.Prepare("SELECT width, data FROM log_tiles WHERE level = ?1 AND idx = ?2");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  sqlite3_bind_int(*s, 1, level);
  sqlite3_bind_int64(*s, 2, static_cast<int64_t>(index));
  int rc = sqlite3_step(*s);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return c.Error("cannot read log tile");
  return log::StoredTile{static_cast<uint32_t>(sqlite3_column_int(*s, 0)), ColumnString(*s, 1)};
}

absl::StatusOr<uint64_t> LogSizeOn(Conn& c) {
  auto n = c.QueryInt("SELECT coalesce(max(log_index) + 1, 0) FROM records");
  if (!n.ok()) return n.status();
  return static_cast<uint64_t>(*n);
}

absl::StatusOr<std::optional<StoredCheckpoint>> LatestCheckpointOn(Conn& c) {
  auto s = c.Prepare("SELECT size, created_us, note FROM log_checkpoints ORDER BY size DESC LIMIT 1");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  int rc = sqlite3_step(*s);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return c.Error("cannot read checkpoints");
  return StoredCheckpoint{static_cast<uint64_t>(sqlite3_column_int64(*s, 0)), sqlite3_column_int64(*s, 1),
                          ColumnString(*s, 2)};
}

// The JSON array of markings a VisibleFilter allows, for json_each().
std::string TlpsJson(const VisibleFilter& f) {
  std::string out = "[";
  for (size_t i = 0; i < f.tlps.size(); ++i) {
    // Marking names are fixed ASCII words; anything else matches nothing.
    bool plain = !f.tlps[i].empty() &&
                 std::all_of(f.tlps[i].begin(), f.tlps[i].end(), [](char ch) { return ch == '+' || std::islower(ch); });
    util::StrAppend(&out, i ? "," : "", "\"", plain ? f.tlps[i] : std::string("?"), "\"");
  }
  return out + "]";
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Conn> writer, std::string path, size_t readers)
      : path_(std::move(path)), writer_(std::move(writer)), reader_count_(readers), readers_(new ReaderSlot[readers]) {}

  absl::Status Init(const SqliteOptions& options);

  absl::StatusOr<std::optional<StoredRecord>> Get(const RecordId& id) const override;
  absl::StatusOr<uint64_t> Count(std::optional<std::string_view> type) const override;
  absl::StatusOr<std::vector<DayCount>> CountRecords(const CountsQuery& query) const override;
  absl::StatusOr<std::optional<RecordId>> FindSubmission(const util::Digest& digest) const override;
  absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key) const override;
  absl::Status SetMeta(std::string_view key, std::string_view value) override;

  absl::StatusOr<std::optional<log::StoredTile>> ReadTile(int level, uint64_t index) const override;
  absl::StatusOr<log::TilePtr> ReadTileAtLeast(int level, uint64_t index, uint32_t min_width) const override;
  absl::StatusOr<uint64_t> LogSize() const override;
  absl::StatusOr<std::vector<StoredRecord>> ListByLogIndex(uint64_t begin, size_t limit) const override;
  absl::StatusOr<std::optional<StoredCheckpoint>> LatestCheckpoint() const override;
  absl::StatusOr<std::vector<StoredCheckpoint>> ListCheckpoints(std::optional<uint64_t> after_size,
                                                                size_t limit) const override;
  absl::StatusOr<StoredCheckpoint> Checkpoint(const CheckpointSigner& signer) override;

  absl::StatusOr<std::optional<Principal>> GetPrincipal(std::string_view name) const override;
  absl::StatusOr<std::vector<Principal>> ListPrincipals() const override;
  absl::StatusOr<std::optional<StoredToken>> FindToken(const util::Digest& hash) const override;
  absl::StatusOr<std::vector<StoredToken>> ListTokens() const override;
  absl::Status AddPrincipal(const Principal& principal) override;
  absl::Status RemovePrincipal(std::string_view name) override;
  absl::Status AddToken(const StoredToken& token) override;
  absl::Status RevokeToken(std::string_view id, int64_t now_us) override;

  absl::StatusOr<std::optional<Member>> GetMember(std::string_view name) const override;
  absl::StatusOr<std::vector<Member>> ListMembers() const override;
  absl::StatusOr<std::optional<Peer>> GetPeer(std::string_view name) const override;
  absl::StatusOr<std::vector<Peer>> ListPeers() const override;
  absl::StatusOr<std::vector<FeedRecord>> ListFeed(uint64_t begin, size_t limit) const override;
  absl::StatusOr<std::vector<ForeignCheckpoint>> FindForeignCheckpoints(std::string_view origin,
                                                                        uint64_t size) const override;
  absl::StatusOr<std::optional<Witnessed>> GetWitnessed(std::string_view origin) const override;
  absl::StatusOr<std::vector<Witnessed>> ListWitnessed() const override;
  absl::StatusOr<std::vector<SplitView>> ListSplitViews() const override;
  absl::Status AddMember(const Member& member) override;
  absl::Status RemoveMember(std::string_view name) override;
  absl::Status AddPeer(const Peer& peer, const Member& member) override;
  absl::Status RemovePeer(std::string_view name) override;
  absl::Status SetPeerSyncResult(std::string_view name, int64_t now_us, std::string_view error,
                                 uint64_t rejected) override;
  absl::StatusOr<uint64_t> ApplyPulledPageImpl(const PulledPage& page, const CheckpointSigner* signer) override;
  absl::StatusOr<int64_t> KeepForeignCheckpoint(const ForeignCheckpoint& checkpoint) override;
  absl::Status AdvanceWitnessed(const Witnessed& witnessed, std::optional<uint64_t> expected_size) override;
  absl::StatusOr<int64_t> RaiseSplitView(const SplitView& alert) override;
  absl::Status ClearSplitView(int64_t id, int64_t now_us, std::string_view by) override;

 protected:
  absl::StatusOr<ListPage> ListImpl(const ListQuery& query, std::optional<Position> after) const override;
  absl::StatusOr<std::vector<PutOutcome>> PutBatchImpl(std::span<const NewRecord> batch,
                                                       const CheckpointSigner* signer) override;

 private:
  // Reads tiles inside a transaction that already holds mu_.
  class LockedTiles : public log::TileReader {
   public:
    explicit LockedTiles(const SqliteStore& store) : store_(store) {}
    absl::StatusOr<std::optional<log::StoredTile>> ReadTile(int level, uint64_t index) const override
        ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return ReadTileOn(*store_.writer_, level, index);
    }

   private:
    const SqliteStore& store_;
  };

  // Inserts records inside an open write transaction, appending the new
  // ones to the log (PutBatch's body).
  absl::StatusOr<std::vector<PutOutcome>> PutRecordsLocked(std::span<const NewRecord> batch,
                                                           const CheckpointSigner* signer)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the records a batch inserted (outcomes[i].inserted) to record_counts.
  absl::Status CountStoredLocked(std::span<const NewRecord> batch, std::span<const PutOutcome> outcomes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<int64_t> KeepForeignCheckpointLocked(const ForeignCheckpoint& checkpoint)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // A read connection: WAL readers never wait for the writer, so reads
  // (the HTTP server's GETs, proofs) go on while a batch commits.
  struct ReaderSlot {
    absl::Mutex mu;
    std::unique_ptr<Conn> conn ABSL_GUARDED_BY(mu);
  };

  // Runs `f(Conn&)` on a free read connection (opened on first use).
  template <typename F>
  auto WithReader(F f) const -> decltype(f(std::declval<Conn&>()));

  // Appends `ids` (records just inserted at log indexes old_size..) to the
  // tree, writes the tiles, and signs a checkpoint if `signer` is given and
  // one is due (`force`: whatever the newest one's age). Inside a write
  // transaction.
  absl::Status AppendToLog(uint64_t old_size, std::span<const std::string_view> ids, const CheckpointSigner* signer,
                           bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Gives records stored before the log existed (schema 1) their entries.
  absl::Status AppendUnlogged() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  mutable absl::Mutex mu_;
  const std::unique_ptr<Conn> writer_ ABSL_PT_GUARDED_BY(mu_);
  const size_t reader_count_;
  const std::unique_ptr<ReaderSlot[]> readers_;

  // Tiles proofs read again and again: every tile above level 0 (1 in 256
  // of all tiles) and the right edge. A cached tile stays valid, since
  // tiles only grow; one too narrow is read again. Bounded: 4096 tiles
  // (64 MiB), emptied when full. Measured in docs/performance.md.
  static constexpr size_t kTileCacheCapacity = 4096;
  mutable absl::Mutex cache_mu_ ABSL_ACQUIRED_AFTER(mu_);
  mutable absl::flat_hash_map<std::pair<int, uint64_t>, log::TilePtr> tile_cache_ ABSL_GUARDED_BY(cache_mu_);
};

template <typename F>
auto SqliteStore::WithReader(F f) const -> decltype(f(std::declval<Conn&>())) {
  // Start at a slot of this thread's own, so threads rarely collide; take
  // the first free one, or wait for this thread's.
  static std::atomic<size_t> next_thread{0};
  thread_local size_t home = next_thread.fetch_add(1);
  ReaderSlot* slot = nullptr;
  for (size_t i = 0; i < reader_count_ && slot == nullptr; ++i) {
    ReaderSlot& candidate = readers_[(home + i) % reader_count_];
    if (candidate.mu.TryLock()) slot = &candidate;
  }
  if (slot == nullptr) {
    slot = &readers_[home % reader_count_];
    slot->mu.Lock();
  }
  struct Unlock {
    ReaderSlot* slot;
    ~Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS { slot->mu.Unlock(); }
  } unlock{slot};
  auto run = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS -> decltype(f(std::declval<Conn&>())) {
    if (!slot->conn) {
      auto conn = Conn::Open(path_, /*create=*/false);
      if (!conn.ok()) return conn.status();
      // Readers share the OS page cache; a small private cache each is
      // enough for index pages they touch again.
      if (auto st = (*conn)->Exec("PRAGMA cache_size=-16384"); !st.ok()) return st;
      slot->conn = std::move(*conn);
    }
    return f(*slot->conn);
  };
  return run();
}

absl::Status SqliteStore::Init(const SqliteOptions& options) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  auto app_id = w.QueryInt("PRAGMA application_id");
  if (!app_id.ok()) return app_id.status();
  auto version = w.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  auto tables = w.QueryInt("SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) return tables.status();
  if (*app_id != kApplicationId && (*tables > 0 || *version != 0)) {
    return absl::FailedPreconditionError(util::StrCat(path_, " is an SQLite database but not an aisafe store"));
  }
  if (*version > kSqliteSchemaVersion) {
    return absl::FailedPreconditionError(util::StrCat(path_, " has store schema version ", *version,
                                                      ", newer than this aisafe (", kSqliteSchemaVersion,
                                                      "); upgrade aisafe"));
  }
  w.ForgetStatements();  // PRAGMA results may be cached against the old schema.
  if (auto st = w.Exec("PRAGMA journal_mode=WAL"); !st.ok()) return st;
  if (auto st = w.Exec(options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF"); !st.ok()) return st;
  if (auto st = w.Exec("PRAGMA foreign_keys=ON"); !st.ok()) return st;
  // Random 32-byte keys (ids, submission digests) touch index pages all
  // over the file; a 64 MiB page cache keeps them in memory instead of
  // re-reading them, and checkpointing every 64 MiB of WAL rather than 4 MiB
  // writes a page that changed many times back to the database once.
  // Measured in docs/performance.md.
  if (auto st = w.Exec("PRAGMA cache_size=-65536"); !st.ok()) return st;
  if (auto st = w.Exec("PRAGMA wal_autocheckpoint=16384"); !st.ok()) return st;
  if (*version < kSqliteSchemaVersion) {
    absl::Status st = w.InWriteTransaction([&]() -> absl::Status {
      for (int v = static_cast<int>(*version); v < kSqliteSchemaVersion; ++v) {
        if (auto st = w.Exec(kMigrations[static_cast<size_t>(v)]); !st.ok()) return st;
      }
      std::string pragmas =
          util::StrCat("PRAGMA application_id=", kApplicationId, "; PRAGMA user_version=", kSqliteSchemaVersion);
      return w.Exec(pragmas.c_str());
    });
    if (!st.ok()) return st;
  }
  // Records stored before the log existed (schema 1), also when a crash
  // came between the migration and the backfill.
  auto unlogged = w.QueryInt("SELECT count(*) FROM (SELECT 1 FROM records WHERE log_index IS NULL LIMIT 1)");
  if (!unlogged.ok()) return unlogged.status();
  if (*unlogged > 0) return AppendUnlogged();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<StoredRecord>> SqliteStore::Get(const RecordId& id) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::optional<StoredRecord>> {
    auto s = c.Prepare(
        "SELECT seq, id, type, origin, tlp, created, created_us, canonical, log_index FROM records WHERE id = ?1");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    BindBlob(*s, 1, id.data(), id.size());
    int rc = sqlite3_step(*s);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) return c.Error("cannot read record");
    return ReadRecordRow(*s);
  });
}

absl::StatusOr<ListPage> SqliteStore::ListImpl(const ListQuery& query, std::optional<Position> after) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<ListPage> {
    // Keyset pagination on (created_us, seq), newest first; the row-value
    // comparison uses the (type,) created_us DESC, seq DESC indexes. The
    // origin and visibility filters are applied in the same scan, so a
    // page is full of what the reader may see.
    const char* sql =
        query.type ? "SELECT seq, id, type, origin, tlp, created, created_us, canonical, log_index FROM records "
                     "WHERE type = ?1 AND (created_us, seq) < (?2, ?3) "
                     "AND (?5 IS NULL OR origin = ?5) "
                     "AND (?6 IS NULL OR tlp IN (SELECT value FROM json_each(?6)) OR (tlp = 'red' AND origin = ?7)) "
                     "ORDER BY created_us DESC, seq DESC LIMIT ?4"
                   : "SELECT seq, id, type, origin, tlp, created, created_us, canonical, log_index FROM records "
                     "WHERE (created_us, seq) < (?2, ?3) "
                     "AND (?5 IS NULL OR origin = ?5) "
                     "AND (?6 IS NULL OR tlp IN (SELECT value FROM json_each(?6)) OR (tlp = 'red' AND origin = ?7)) "
                     "ORDER BY created_us DESC, seq DESC LIMIT ?4";
    auto s = c.Prepare(sql);
    if (!s.ok()) return s.status();
    Reset reset(*s);
    if (query.type) BindText(*s, 1, *query.type);
    sqlite3_bind_int64(*s, 2, after ? after->created_us : INT64_MAX);
    sqlite3_bind_int64(*s, 3, after ? static_cast<int64_t>(after->seq) : INT64_MAX);
    sqlite3_bind_int64(*s, 4, static_cast<int64_t>(query.limit) + 1);
    if (query.origin) BindText(*s, 5, *query.origin);
    std::string tlps;
    if (query.visible) {
      tlps = TlpsJson(*query.visible);
      BindText(*s, 6, tlps);
      if (query.visible->red_origin) BindText(*s, 7, *query.visible->red_origin);
    }
    ListPage page;
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
      if (page.records.size() == query.limit) {
        page.next_cursor = EncodeCursor(page.records.back());
        break;
      }
      page.records.push_back(ReadRecordRow(*s));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return c.Error("cannot list records");
    return page;
  });
}

absl::StatusOr<uint64_t> SqliteStore::Count(std::optional<std::string_view> type) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<uint64_t> {
    auto s = c.Prepare(type ? "SELECT count(*) FROM records WHERE type = ?1" : "SELECT count(*) FROM records");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    if (type) BindText(*s, 1, *type);
    if (sqlite3_step(*s) != SQLITE_ROW) return c.Error("cannot count records");
    return static_cast<uint64_t>(sqlite3_column_int64(*s, 0));
  });
}

absl::StatusOr<std::vector<DayCount>> SqliteStore::CountRecords(const CountsQuery& query) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::vector<DayCount>> {
    // Rows of one kind (country '' or not) are contiguous in the primary
    // key; the day range narrows the '' rows to an index range.
    const char* sql[2][2] = {
        {"SELECT 0, type, '', sum(n) FROM record_counts WHERE country = '' AND day BETWEEN ?1 AND ?4 "
         "AND (?2 IS NULL OR tlp IN (SELECT value FROM json_each(?2)) OR (tlp = 'red' AND origin = ?3)) "
         "GROUP BY type",
         "SELECT day, type, '', sum(n) FROM record_counts WHERE country = '' AND day BETWEEN ?1 AND ?4 "
         "AND (?2 IS NULL OR tlp IN (SELECT value FROM json_each(?2)) OR (tlp = 'red' AND origin = ?3)) "
         "GROUP BY day, type"},
        {"SELECT 0, type, country, sum(n) FROM record_counts WHERE country > '' AND day BETWEEN ?1 AND ?4 "
         "AND (?2 IS NULL OR tlp IN (SELECT value FROM json_each(?2)) OR (tlp = 'red' AND origin = ?3)) "
         "GROUP BY country, type",
         "SELECT day, type, country, sum(n) FROM record_counts WHERE country > '' AND day BETWEEN ?1 AND ?4 "
         "AND (?2 IS NULL OR tlp IN (SELECT value FROM json_each(?2)) OR (tlp = 'red' AND origin = ?3)) "
         "GROUP BY country, day, type"}};
    auto s = c.Prepare(sql[query.per_country][query.per_day]);
    if (!s.ok()) return s.status();
    Reset reset(*s);
    sqlite3_bind_int64(*s, 1, query.from_day);
    sqlite3_bind_int64(*s, 4, query.to_day);
    std::string tlps;
    if (query.visible) {
      tlps = TlpsJson(*query.visible);
      BindText(*s, 2, tlps);
      if (query.visible->red_origin) BindText(*s, 3, *query.visible->red_origin);
    }
    std::vector<DayCount> out;
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
      out.push_back({sqlite3_column_int64(*s, 0), ColumnString(*s, 1), ColumnString(*s, 2),
                     static_cast<uint64_t>(sqlite3_column_int64(*s, 3))});
    }
    if (rc != SQLITE_DONE) return c.Error("cannot count records");
    return out;
  });
}

absl::StatusOr<std::optional<RecordId>> SqliteStore::FindSubmission(const util::Digest& digest) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::optional<RecordId>> {
    auto s = c.Prepare("SELECT id FROM submissions WHERE digest = ?1");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    BindBlob(*s, 1, digest.data(), digest.size());
    int rc = sqlite3_step(*s);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) return c.Error("cannot read submissions");
    return ColumnId(*s, 0);
  });
}

absl::StatusOr<std::optional<std::string>> SqliteStore::GetMeta(std::string_view key) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::optional<std::string>> {
    auto s = c.Prepare("SELECT value FROM meta WHERE key = ?1");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    BindText(*s, 1, key);
    int rc = sqlite3_step(*s);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) return c.Error("cannot read meta");
    return ColumnString(*s, 0);
  });
}

absl::Status SqliteStore::SetMeta(std::string_view key, std::string_view value) {
  absl::MutexLock lock(&mu_);
  auto s = writer_->Prepare(
      "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  BindText(*s, 1, key);
  BindBlob(*s, 2, value.data(), value.size());
  if (sqlite3_step(*s) != SQLITE_DONE) return writer_->Error("cannot write meta");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PutOutcome>> SqliteStore::PutBatchImpl(std::span<const NewRecord> batch,
                                                                  const CheckpointSigner* signer) {
  absl::MutexLock lock(&mu_);
  std::vector<PutOutcome> out;
  // IMMEDIATE takes the write lock now, so the submission lookups and the
  // log size see every committed batch and no other writer (thread or
  // process) can interleave.
  absl::Status st = writer_->InWriteTransaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    auto put = PutRecordsLocked(batch, signer);
    if (!put.ok()) return put.status();
    out = std::move(*put);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<PutOutcome>> SqliteStore::PutRecordsLocked(std::span<const NewRecord> batch,
                                                                      const CheckpointSigner* signer) {
  Conn& w = *writer_;
  auto find_sub = w.Prepare("SELECT id FROM submissions WHERE digest = ?1");
  auto insert = w.Prepare(
      "INSERT INTO records (id, type, origin, tlp, created, created_us, canonical, log_index) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING");
  auto insert_sub = w.Prepare("INSERT INTO submissions (digest, id) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  for (const auto* s : {&find_sub, &insert, &insert_sub}) {
    if (!s->ok()) return s->status();
  }
  std::vector<PutOutcome> out;
  out.reserve(batch.size());
  auto old_size = LogSizeOn(w);
  if (!old_size.ok()) return old_size.status();
  std::vector<std::string_view> appended;
  for (const NewRecord& r : batch) {
    PutOutcome o{r.id, false, 0};
    if (r.submission) {
      Reset reset(*find_sub);
      BindBlob(*find_sub, 1, r.submission->data(), r.submission->size());
      int rc = sqlite3_step(*find_sub);
      if (rc == SQLITE_ROW) {
        o.id = ColumnId(*find_sub, 0);
        out.push_back(o);
        continue;
      }
      if (rc != SQLITE_DONE) return w.Error("cannot read submissions");
    }
    {
      sqlite3_stmt* s = *insert;
      Reset reset(s);
      BindBlob(s, 1, r.id.data(), r.id.size());
      BindText(s, 2, r.type);
      BindText(s, 3, r.origin);
      BindText(s, 4, r.tlp);
      BindText(s, 5, r.created);
      sqlite3_bind_int64(s, 6, r.created_us);
      BindBlob(s, 7, r.canonical.data(), r.canonical.size());
      sqlite3_bind_int64(s, 8, static_cast<int64_t>(*old_size + appended.size()));
      if (sqlite3_step(s) != SQLITE_DONE) return w.Error("cannot insert record");
      o.inserted = sqlite3_changes(w.db()) == 1;
      if (o.inserted) o.seq = static_cast<uint64_t>(sqlite3_last_insert_rowid(w.db()));
    }
    if (o.inserted) appended.emplace_back(reinterpret_cast<const char*>(r.id.data()), r.id.size());
    if (r.submission) {
      Reset reset(*insert_sub);
      BindBlob(*insert_sub, 1, r.submission->data(), r.submission->size());
      BindBlob(*insert_sub, 2, r.id.data(), r.id.size());
      if (sqlite3_step(*insert_sub) != SQLITE_DONE) return w.Error("cannot insert submission");
    }
    out.push_back(o);
  }
  if (!appended.empty()) {
    if (auto st = CountStoredLocked(batch, out); !st.ok()) return st;
    if (auto st = AppendToLog(*old_size, appended, signer, /*force=*/false); !st.ok()) return st;
  }
  return out;
}

absl::Status SqliteStore::CountStoredLocked(std::span<const NewRecord> batch, std::span<const PutOutcome> outcomes) {
  Conn& w = *writer_;
  auto upsert = w.Prepare(
      "INSERT INTO record_counts (country, day, type, tlp, origin, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT DO UPDATE SET n = n + excluded.n");
  if (!upsert.ok()) return upsert.status();
  // One upsert per distinct (country, day, type, marking, origin) of the
  // batch; a batch of a day's records makes a few dozen.
  using Key = std::tuple<std::string_view, int64_t, std::string_view, std::string_view, std::string_view>;
  std::map<Key, int64_t> counts;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!outcomes[i].inserted) continue;
    const NewRecord& r = batch[i];
    int64_t day = DayOfUnixMicros(r.created_us);
    // Only a red record's visibility depends on its origin (schema 5).
    std::string_view origin = r.tlp == "red" ? r.origin : std::string_view();
    ++counts[Key{std::string_view(), day, r.type, r.tlp, origin}];
    for (const std::string& c : r.countries) ++counts[Key{c, day, r.type, r.tlp, origin}];
  }
  for (const auto& [key, n] : counts) {
    Reset reset(*upsert);
    BindText(*upsert, 1, std::get<0>(key));
    sqlite3_bind_int64(*upsert, 2, std::get<1>(key));
    BindText(*upsert, 3, std::get<2>(key));
    BindText(*upsert, 4, std::get<3>(key));
    BindText(*upsert, 5, std::get<4>(key));
    sqlite3_bind_int64(*upsert, 6, n);
    if (sqlite3_step(*upsert) != SQLITE_DONE) return w.Error("cannot count records");
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::AppendToLog(uint64_t old_size, std::span<const std::string_view> ids,
                                      const CheckpointSigner* signer, bool force) {
  Conn& w = *writer_;
  auto upsert = w.Prepare(
      "INSERT INTO log_tiles (level, idx, width, data) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, data = excluded.data");
  if (!upsert.ok()) return upsert.status();
  LockedTiles tiles(*this);
  auto appended = log::AppendEntries(tiles, old_size, ids);
  if (!appended.ok()) return appended.status();
  for (const log::TileWrite& t : appended->writes) {
    Reset reset(*upsert);
    sqlite3_bind_int(*upsert, 1, t.level);
    sqlite3_bind_int64(*upsert, 2, static_cast<int64_t>(t.index));
    sqlite3_bind_int(*upsert, 3, static_cast<int>(t.tile.width));
    BindBlob(*upsert, 4, t.tile.data.data(), t.tile.data.size());
    if (sqlite3_step(*upsert) != SQLITE_DONE) return w.Error("cannot write log tile");
  }
  if (signer == nullptr) return absl::OkStatus();
  auto newest = LatestCheckpointOn(w);
  if (!newest.ok()) return newest.status();
  int64_t now = signer->NowUs();
  if (!force && *newest && now - (*newest)->created_us < signer->MinIntervalUs()) return absl::OkStatus();
  auto note = signer->Sign(appended->size, appended->root);
  if (!note.ok()) return note.status();
  auto insert = w.Prepare("INSERT INTO log_checkpoints (size, created_us, note) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.status();
  Reset reset(*insert);
  sqlite3_bind_int64(*insert, 1, static_cast<int64_t>(appended->size));
  sqlite3_bind_int64(*insert, 2, now);
  BindText(*insert, 3, *note);
  if (sqlite3_step(*insert) != SQLITE_DONE) return w.Error("cannot keep checkpoint");
  return absl::OkStatus();
}

absl::Status SqliteStore::AppendUnlogged() {
  Conn& w = *writer_;
  return w.InWriteTransaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    auto size = LogSizeOn(w);
    if (!size.ok()) return size.status();
    auto select = w.Prepare("SELECT seq, id FROM records WHERE log_index IS NULL ORDER BY seq");
    auto set = w.Prepare("UPDATE records SET log_index = ?1 WHERE seq = ?2");
    if (!select.ok()) return select.status();
    if (!set.ok()) return set.status();
    std::vector<std::pair<int64_t, RecordId>> rows;
    {
      Reset reset(*select);
      int rc;
      while ((rc = sqlite3_step(*select)) == SQLITE_ROW)
        rows.emplace_back(sqlite3_column_int64(*select, 0), ColumnId(*select, 1));
      if (rc != SQLITE_DONE) return w.Error("cannot read records");
    }
    std::vector<std::string_view> ids;
    for (size_t i = 0; i < rows.size(); ++i) {
      Reset reset(*set);
      sqlite3_bind_int64(*set, 1, static_cast<int64_t>(*size + i));
      sqlite3_bind_int64(*set, 2, rows[i].first);
      if (sqlite3_step(*set) != SQLITE_DONE) return w.Error("cannot give a record its log index");
      ids.emplace_back(reinterpret_cast<const char*>(rows[i].second.data()), 32);
    }
    return ids.empty() ? absl::OkStatus() : AppendToLog(*size, ids, nullptr, false);
  });
}

absl::StatusOr<StoredCheckpoint> SqliteStore::Checkpoint(const CheckpointSigner& signer) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  absl::Status st = w.InWriteTransaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    auto size = LogSizeOn(w);
    if (!size.ok()) return size.status();
    auto newest = LatestCheckpointOn(w);
    if (!newest.ok()) return newest.status();
    if (*newest && (*newest)->size >= *size) return absl::OkStatus();
    return AppendToLog(*size, {}, &signer, /*force=*/true);
  });
  if (!st.ok()) return st;
  auto newest = LatestCheckpointOn(w);
  if (!newest.ok()) return newest.status();
  if (!*newest) return absl::InternalError("log: no checkpoint after signing one");
  return **newest;
}

absl::StatusOr<std::optional<log::StoredTile>> SqliteStore::ReadTile(int level, uint64_t index) const {
  return WithReader([&](Conn& c) { return ReadTileOn(c, level, index); });
}

absl::StatusOr<log::TilePtr> SqliteStore::ReadTileAtLeast(int level, uint64_t index, uint32_t min_width) const {
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = tile_cache_.find({level, index});
    if (it != tile_cache_.end() && it->second->width >= min_width) return it->second;
  }
  auto tile = ReadTile(level, index);
  if (!tile.ok()) return tile.status();
  if (!*tile) return nullptr;
  auto shared = std::make_shared<const log::StoredTile>(std::move(**tile));
  if (level >= 1 || shared->width < log::kTileWidth) {
    absl::MutexLock lock(&cache_mu_);
    if (tile_cache_.size() >= kTileCacheCapacity) tile_cache_.clear();
    tile_cache_[{level, index}] = shared;
  }
  return shared;
}

absl::StatusOr<uint64_t> SqliteStore::LogSize() const {
  return WithReader([&](Conn& c) { return LogSizeOn(c); });
}

absl::StatusOr<std::vector<StoredRecord>> SqliteStore::ListByLogIndex(uint64_t begin, size_t limit) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::vector<StoredRecord>> {
    auto s = c.Prepare(
        "SELECT seq, id, type, origin, tlp, created, created_us, canonical, log_index FROM records "
        "WHERE log_index >= ?1 ORDER BY log_index LIMIT ?2");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    sqlite3_bind_int64(*s, 1, static_cast<int64_t>(std::min<uint64_t>(begin, INT64_MAX)));
    sqlite3_bind_int64(*s, 2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    std::vector<StoredRecord> out;
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) out.push_back(ReadRecordRow(*s));
    if (rc != SQLITE_DONE) return c.Error("cannot list records in log order");
    return out;
  });
}

absl::StatusOr<std::optional<StoredCheckpoint>> SqliteStore::LatestCheckpoint() const {
  return WithReader([&](Conn& c) { return LatestCheckpointOn(c); });
}

absl::StatusOr<std::vector<StoredCheckpoint>> SqliteStore::ListCheckpoints(std::optional<uint64_t> after_size,
                                                                           size_t limit) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::vector<StoredCheckpoint>> {
    auto s = c.Prepare("SELECT size, created_us, note FROM log_checkpoints WHERE size > ?1 ORDER BY size LIMIT ?2");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    sqlite3_bind_int64(*s, 1, after_size ? static_cast<int64_t>(std::min<uint64_t>(*after_size, INT64_MAX)) : -1);
    sqlite3_bind_int64(*s, 2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    std::vector<StoredCheckpoint> out;
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
      out.push_back(StoredCheckpoint{static_cast<uint64_t>(sqlite3_column_int64(*s, 0)), sqlite3_column_int64(*s, 1),
                                     ColumnString(*s, 2)});
    }
    if (rc != SQLITE_DONE) return c.Error("cannot list checkpoints");
    return out;
  });
}

absl::StatusOr<std::optional<Principal>> SqliteStore::GetPrincipal(std::string_view name) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::optional<Principal>> {
    auto s = c.Prepare("SELECT name, role, created_us FROM principals WHERE name = ?1");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    BindText(*s, 1, name);
    int rc = sqlite3_step(*s);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) return c.Error("cannot read principal");
    return Principal{ColumnString(*s, 0), ColumnString(*s, 1), sqlite3_column_int64(*s, 2)};
  });
}

absl::StatusOr<std::vector<Principal>> SqliteStore::ListPrincipals() const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::vector<Principal>> {
    auto s = c.Prepare("SELECT name, role, created_us FROM principals ORDER BY name");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    std::vector<Principal> out;
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
      out.push_back(Principal{ColumnString(*s, 0), ColumnString(*s, 1), sqlite3_column_int64(*s, 2)});
    }
    if (rc != SQLITE_DONE) return c.Error("cannot list principals");
    return out;
  });
}

absl::StatusOr<std::optional<StoredToken>> SqliteStore::FindToken(const util::Digest& hash) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::optional<StoredToken>> {
    auto s = c.Prepare("SELECT id, hash, principal, created_us, expires_us, revoked_us FROM tokens WHERE hash = ?1");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    BindBlob(*s, 1, hash.data(), hash.size());
    int rc = sqlite3_step(*s);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) return c.Error("cannot read token");
    return ReadTokenRow(*s);
  });
}

absl::StatusOr<std::vector<StoredToken>> SqliteStore::ListTokens() const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::vector<StoredToken>> {
    auto s = c.Prepare(
        "SELECT id, hash, principal, created_us, expires_us, revoked_us FROM tokens "
        "ORDER BY principal, created_us, id");
    if (!s.ok()) return s.status();
    Reset reset(*s);
    std::vector<StoredToken> out;
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) out.push_back(ReadTokenRow(*s));
    if (rc != SQLITE_DONE) return c.Error("cannot list tokens");
    return out;
  });
}

absl::Status SqliteStore::AddPrincipal(const Principal& principal) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  auto s = w.Prepare("INSERT INTO principals (name, role, created_us) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  BindText(*s, 1, principal.name);
  BindText(*s, 2, principal.role);
  sqlite3_bind_int64(*s, 3, principal.created_us);
  if (sqlite3_step(*s) != SQLITE_DONE) return w.Error("cannot add principal");
  if (sqlite3_changes(w.db()) == 0) {
    return absl::AlreadyExistsError(util::StrCat("principal ", principal.name, " exists"));
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::RemovePrincipal(std::string_view name) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  // The tokens go with it (ON DELETE CASCADE), in the same statement.
  auto s = w.Prepare("DELETE FROM principals WHERE name = ?1");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  BindText(*s, 1, name);
  if (sqlite3_step(*s) != SQLITE_DONE) return w.Error("cannot remove principal");
  if (sqlite3_changes(w.db()) == 0) return absl::NotFoundError(util::StrCat("no principal named ", name));
  return absl::OkStatus();
}

absl::Status SqliteStore::AddToken(const StoredToken& token) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  auto s = w.Prepare(
      "INSERT INTO tokens (id, hash, principal, created_us, expires_us, revoked_us) "
      "SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM principals WHERE name = ?3) "
      "ON CONFLICT DO NOTHING");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  BindText(*s, 1, token.id);
  BindBlob(*s, 2, token.hash.data(), token.hash.size());
  BindText(*s, 3, token.principal);
  sqlite3_bind_int64(*s, 4, token.created_us);
  BindOptionalInt(*s, 5, token.expires_us);
  BindOptionalInt(*s, 6, token.revoked_us);
  if (sqlite3_step(*s) != SQLITE_DONE) return w.Error("cannot add token");
  if (sqlite3_changes(w.db()) == 1) return absl::OkStatus();
  auto exists = w.Prepare("SELECT 1 FROM principals WHERE name = ?1");
  if (!exists.ok()) return exists.status();
  Reset reset_exists(*exists);
  BindText(*exists, 1, token.principal);
  if (sqlite3_step(*exists) != SQLITE_ROW)
    return absl::NotFoundError(util::StrCat("no principal named ", token.principal));
  return absl::AlreadyExistsError(util::StrCat("token ", token.id, " exists"));
}

absl::Status SqliteStore::RevokeToken(std::string_view id, int64_t now_us) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  auto s = w.Prepare("UPDATE tokens SET revoked_us = coalesce(revoked_us, ?2) WHERE id = ?1");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  BindText(*s, 1, id);
  sqlite3_bind_int64(*s, 2, now_us);
  if (sqlite3_step(*s) != SQLITE_DONE) return w.Error("cannot revoke token");
  if (sqlite3_changes(w.db()) == 0) return absl::NotFoundError(util::StrCat("no token with id ", id));
  return absl::OkStatus();
}

}  // namespace

// --- Federation ------------------------------------------------------------

namespace {

std::string ProofBytes(const std::vector<log::Hash>& proof) {
  std::string out;
  out.reserve(proof.size() * 32);
  for (const log::Hash& h : proof) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

std::vector<log::Hash> ColumnProof(sqlite3_stmt* s, int i) {
  std::string bytes = ColumnString(s, i);
  std::vector<log::Hash> out(bytes.size() / 32);
  for (size_t k = 0; k < out.size(); ++k) std::memcpy(out[k].data(), bytes.data() + 32 * k, 32);
  return out;
}

log::Hash ColumnHash(sqlite3_stmt* s, int i) {
  log::Hash h{};
  const void* p = sqlite3_column_blob(s, i);
  if (p != nullptr && sqlite3_column_bytes(s, i) == 32) std::memcpy(h.data(), p, 32);
  return h;
}

ForeignCheckpoint ReadForeignRow(sqlite3_stmt* s, int at) {
  ForeignCheckpoint c;
  c.id = sqlite3_column_int64(s, at);
  c.origin = ColumnString(s, at + 1);
  c.size = static_cast<uint64_t>(sqlite3_column_int64(s, at + 2));
  c.root = ColumnHash(s, at + 3);
  c.note = ColumnString(s, at + 4);
  c.source = ColumnString(s, at + 5);
  c.seen_us = sqlite3_column_int64(s, at + 6);
  return c;
}

Peer ReadPeerRow(sqlite3_stmt* s) {
  Peer p;
  p.name = ColumnString(s, 0);
  p.url = ColumnString(s, 1);
  p.added_us = sqlite3_column_int64(s, 2);
  p.cursor = ColumnString(s, 3);
  p.last_sync_us = ColumnOptionalInt(s, 4);
  p.last_error = ColumnString(s, 5);
  p.received = static_cast<uint64_t>(sqlite3_column_int64(s, 6));
  p.rejected = static_cast<uint64_t>(sqlite3_column_int64(s, 7));
  return p;
}

SplitView ReadSplitRow(sqlite3_stmt* s) {
  SplitView v;
  v.id = sqlite3_column_int64(s, 0);
  v.origin = ColumnString(s, 1);
  v.first = ColumnString(s, 2);
  v.second = ColumnString(s, 3);
  v.reason = ColumnString(s, 4);
  v.source = ColumnString(s, 5);
  v.raised_us = sqlite3_column_int64(s, 6);
  v.cleared_us = ColumnOptionalInt(s, 7);
  v.cleared_by = ColumnString(s, 8);
  return v;
}

// Runs a prepared query on `c` and collects rows with `read`.
template <typename T, typename Bind, typename Read>
absl::StatusOr<std::vector<T>> Collect(Conn& c, const char* sql, Bind bind, Read read, std::string_view what) {
  auto s = c.Prepare(sql);
  if (!s.ok()) return s.status();
  Reset reset(*s);
  bind(*s);
  std::vector<T> out;
  int rc;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) out.push_back(read(*s));
  if (rc != SQLITE_DONE) return c.Error(util::StrCat("cannot read ", what));
  return out;
}

}  // namespace

absl::StatusOr<std::optional<Member>> SqliteStore::GetMember(std::string_view name) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::optional<Member>> {
    auto rows = Collect<Member>(
        c, "SELECT name, vkey, country, added_us FROM members WHERE name = ?1",
        [&](sqlite3_stmt* s) { BindText(s, 1, name); },
        [](sqlite3_stmt* s) {
          return Member{ColumnString(s, 0), ColumnString(s, 1), ColumnString(s, 2), sqlite3_column_int64(s, 3)};
        },
        "members");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::nullopt;
    return std::move(rows->front());
  });
}

absl::StatusOr<std::vector<Member>> SqliteStore::ListMembers() const {
  return WithReader([&](Conn& c) {
    return Collect<Member>(
        c, "SELECT name, vkey, country, added_us FROM members ORDER BY name", [](sqlite3_stmt*) {},
        [](sqlite3_stmt* s) {
          return Member{ColumnString(s, 0), ColumnString(s, 1), ColumnString(s, 2), sqlite3_column_int64(s, 3)};
        },
        "members");
  });
}

absl::StatusOr<std::optional<Peer>> SqliteStore::GetPeer(std::string_view name) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::optional<Peer>> {
    auto rows = Collect<Peer>(
        c,
        "SELECT name, url, added_us, cursor, last_sync_us, last_error, received, rejected FROM peers WHERE name = ?1",
        [&](sqlite3_stmt* s) { BindText(s, 1, name); }, ReadPeerRow, "peers");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::nullopt;
    return std::move(rows->front());
  });
}

absl::StatusOr<std::vector<Peer>> SqliteStore::ListPeers() const {
  return WithReader([&](Conn& c) {
    return Collect<Peer>(
        c, "SELECT name, url, added_us, cursor, last_sync_us, last_error, received, rejected FROM peers ORDER BY name",
        [](sqlite3_stmt*) {}, ReadPeerRow, "peers");
  });
}

absl::StatusOr<std::vector<FeedRecord>> SqliteStore::ListFeed(uint64_t begin, size_t limit) const {
  return WithReader([&](Conn& c) {
    return Collect<FeedRecord>(
        c,
        "SELECT r.seq, r.id, r.type, r.origin, r.tlp, r.created, r.created_us, r.canonical, r.log_index, "
        "op.origin_index, op.checkpoint, fc.note, op.proof FROM records r "
        "LEFT JOIN origin_proofs op ON op.seq = r.seq LEFT JOIN foreign_checkpoints fc ON fc.id = op.checkpoint "
        "WHERE r.log_index >= ?1 ORDER BY r.log_index LIMIT ?2",
        [&](sqlite3_stmt* s) {
          sqlite3_bind_int64(s, 1, static_cast<int64_t>(std::min<uint64_t>(begin, INT64_MAX)));
          sqlite3_bind_int64(s, 2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
        },
        [](sqlite3_stmt* s) {
          FeedRecord f{ReadRecordRow(s), std::nullopt};
          if (sqlite3_column_type(s, 9) != SQLITE_NULL) {
            f.origin_proof = OriginProof{static_cast<uint64_t>(sqlite3_column_int64(s, 9)), sqlite3_column_int64(s, 10),
                                         ColumnString(s, 11), ColumnProof(s, 12)};
          }
          return f;
        },
        "the feed");
  });
}

absl::StatusOr<std::vector<ForeignCheckpoint>> SqliteStore::FindForeignCheckpoints(std::string_view origin,
                                                                                   uint64_t size) const {
  return WithReader([&](Conn& c) {
    return Collect<ForeignCheckpoint>(
        c,
        "SELECT fc.id, fc.origin, fc.size, fc.root, fc.note, fc.source, fc.seen_us FROM foreign_checkpoints fc "
        "WHERE fc.origin = ?1 AND fc.size = ?2 ORDER BY fc.id",
        [&](sqlite3_stmt* s) {
          BindText(s, 1, origin);
          sqlite3_bind_int64(s, 2, static_cast<int64_t>(std::min<uint64_t>(size, INT64_MAX)));
        },
        [](sqlite3_stmt* s) { return ReadForeignRow(s, 0); }, "checkpoints of other logs");
  });
}

namespace {
constexpr const char* kWitnessedSelect =
    "SELECT fc.id, fc.origin, fc.size, fc.root, fc.note, fc.source, fc.seen_us, w.cosigned, w.updated_us "
    "FROM witnessed w JOIN foreign_checkpoints fc ON fc.id = w.checkpoint ";
Witnessed ReadWitnessedRow(sqlite3_stmt* s) {
  return Witnessed{ReadForeignRow(s, 0), ColumnString(s, 7), sqlite3_column_int64(s, 8)};
}
}  // namespace

absl::StatusOr<std::optional<Witnessed>> SqliteStore::GetWitnessed(std::string_view origin) const {
  return WithReader([&](Conn& c) -> absl::StatusOr<std::optional<Witnessed>> {
    static const std::string kSql = util::StrCat(kWitnessedSelect, "WHERE w.origin = ?1");
    auto rows = Collect<Witnessed>(
        c, kSql.c_str(), [&](sqlite3_stmt* s) { BindText(s, 1, origin); }, ReadWitnessedRow, "the witness state");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::nullopt;
    return std::move(rows->front());
  });
}

absl::StatusOr<std::vector<Witnessed>> SqliteStore::ListWitnessed() const {
  return WithReader([&](Conn& c) {
    static const std::string kSql = util::StrCat(kWitnessedSelect, "ORDER BY w.origin");
    return Collect<Witnessed>(
        c, kSql.c_str(), [](sqlite3_stmt*) {}, ReadWitnessedRow, "the witness state");
  });
}

absl::StatusOr<std::vector<SplitView>> SqliteStore::ListSplitViews() const {
  return WithReader([&](Conn& c) {
    return Collect<SplitView>(
        c,
        "SELECT id, origin, first, second, reason, source, raised_us, cleared_us, cleared_by FROM split_views "
        "ORDER BY id",
        [](sqlite3_stmt*) {}, ReadSplitRow, "split views");
  });
}

absl::Status SqliteStore::AddMember(const Member& member) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  auto s =
      w.Prepare("INSERT INTO members (name, vkey, country, added_us) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  BindText(*s, 1, member.name);
  BindText(*s, 2, member.vkey);
  BindText(*s, 3, member.country);
  sqlite3_bind_int64(*s, 4, member.added_us);
  if (sqlite3_step(*s) != SQLITE_DONE) return w.Error("cannot add member");
  if (sqlite3_changes(w.db()) == 0) return absl::AlreadyExistsError(util::StrCat("member ", member.name, " exists"));
  return absl::OkStatus();
}

absl::Status SqliteStore::RemoveMember(std::string_view name) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  return w.InWriteTransaction([&]() -> absl::Status {
    auto peer = w.Prepare("SELECT 1 FROM peers WHERE name = ?1");
    auto del = w.Prepare("DELETE FROM members WHERE name = ?1");
    if (!peer.ok()) return peer.status();
    if (!del.ok()) return del.status();
    {
      Reset reset(*peer);
      BindText(*peer, 1, name);
      if (sqlite3_step(*peer) == SQLITE_ROW) {
        return absl::FailedPreconditionError(util::StrCat(name, " is a peer; remove the peer first"));
      }
    }
    Reset reset(*del);
    BindText(*del, 1, name);
    if (sqlite3_step(*del) != SQLITE_DONE) return w.Error("cannot remove member");
    if (sqlite3_changes(w.db()) == 0) return absl::NotFoundError(util::StrCat("no member named ", name));
    return absl::OkStatus();
  });
}

absl::Status SqliteStore::AddPeer(const Peer& peer, const Member& member) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  return w.InWriteTransaction([&]() -> absl::Status {
    auto find = w.Prepare("SELECT vkey FROM members WHERE name = ?1");
    auto add_member = w.Prepare("INSERT INTO members (name, vkey, country, added_us) VALUES (?1, ?2, ?3, ?4)");
    auto add_peer = w.Prepare("INSERT INTO peers (name, url, added_us) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
    for (const auto* s : {&find, &add_member, &add_peer}) {
      if (!s->ok()) return s->status();
    }
    bool known = false;
    {
      Reset reset(*find);
      BindText(*find, 1, member.name);
      int rc = sqlite3_step(*find);
      if (rc == SQLITE_ROW) {
        if (ColumnString(*find, 0) != member.vkey) {
          return absl::AlreadyExistsError(util::StrCat(
              "member ", member.name, " exists with another key; a key change is a new member, decided by a human"));
        }
        known = true;
      } else if (rc != SQLITE_DONE) {
        return w.Error("cannot read members");
      }
    }
    if (!known) {
      Reset reset(*add_member);
      BindText(*add_member, 1, member.name);
      BindText(*add_member, 2, member.vkey);
      BindText(*add_member, 3, member.country);
      sqlite3_bind_int64(*add_member, 4, member.added_us);
      if (sqlite3_step(*add_member) != SQLITE_DONE) return w.Error("cannot add member");
    }
    Reset reset(*add_peer);
    BindText(*add_peer, 1, peer.name);
    BindText(*add_peer, 2, peer.url);
    sqlite3_bind_int64(*add_peer, 3, peer.added_us);
    if (sqlite3_step(*add_peer) != SQLITE_DONE) return w.Error("cannot add peer");
    if (sqlite3_changes(w.db()) == 0) return absl::AlreadyExistsError(util::StrCat("peer ", peer.name, " exists"));
    return absl::OkStatus();
  });
}

absl::Status SqliteStore::RemovePeer(std::string_view name) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  auto s = w.Prepare("DELETE FROM peers WHERE name = ?1");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  BindText(*s, 1, name);
  if (sqlite3_step(*s) != SQLITE_DONE) return w.Error("cannot remove peer");
  if (sqlite3_changes(w.db()) == 0) return absl::NotFoundError(util::StrCat("no peer named ", name));
  return absl::OkStatus();
}

absl::Status SqliteStore::SetPeerSyncResult(std::string_view name, int64_t now_us, std::string_view error,
                                            uint64_t rejected) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  auto s = w.Prepare("UPDATE peers SET last_sync_us = ?2, last_error = ?3, rejected = rejected + ?4 WHERE name = ?1");
  if (!s.ok()) return s.status();
  Reset reset(*s);
  BindText(*s, 1, name);
  sqlite3_bind_int64(*s, 2, now_us);
  BindText(*s, 3, error);
  sqlite3_bind_int64(*s, 4, static_cast<int64_t>(rejected));
  if (sqlite3_step(*s) != SQLITE_DONE) return w.Error("cannot record the sync result");
  if (sqlite3_changes(w.db()) == 0) return absl::NotFoundError(util::StrCat("no peer named ", name));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteStore::KeepForeignCheckpointLocked(const ForeignCheckpoint& c) {
  Conn& w = *writer_;
  auto insert = w.Prepare(
      "INSERT INTO foreign_checkpoints (origin, size, root, note, source, seen_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT (origin, size, root) DO NOTHING");
  auto find = w.Prepare("SELECT id FROM foreign_checkpoints WHERE origin = ?1 AND size = ?2 AND root = ?3");
  if (!insert.ok()) return insert.status();
  if (!find.ok()) return find.status();
  {
    Reset reset(*insert);
    BindText(*insert, 1, c.origin);
    sqlite3_bind_int64(*insert, 2, static_cast<int64_t>(std::min<uint64_t>(c.size, INT64_MAX)));
    BindBlob(*insert, 3, c.root.data(), c.root.size());
    BindText(*insert, 4, c.note);
    BindText(*insert, 5, c.source);
    sqlite3_bind_int64(*insert, 6, c.seen_us);
    if (sqlite3_step(*insert) != SQLITE_DONE) return w.Error("cannot keep checkpoint");
  }
  Reset reset(*find);
  BindText(*find, 1, c.origin);
  sqlite3_bind_int64(*find, 2, static_cast<int64_t>(std::min<uint64_t>(c.size, INT64_MAX)));
  BindBlob(*find, 3, c.root.data(), c.root.size());
  if (sqlite3_step(*find) != SQLITE_ROW) return w.Error("cannot find kept checkpoint");
  return sqlite3_column_int64(*find, 0);
}

absl::StatusOr<int64_t> SqliteStore::KeepForeignCheckpoint(const ForeignCheckpoint& checkpoint) {
  absl::MutexLock lock(&mu_);
  int64_t id = 0;
  absl::Status st = writer_->InWriteTransaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    auto kept = KeepForeignCheckpointLocked(checkpoint);
    if (!kept.ok()) return kept.status();
    id = *kept;
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return id;
}

absl::StatusOr<uint64_t> SqliteStore::ApplyPulledPageImpl(const PulledPage& page, const CheckpointSigner* signer) {
  static const RecordId kZero{};
  for (size_t i = 0; i < page.records.size(); ++i) {
    const NewRecord& r = page.records[i].record;
    if (r.id == kZero || r.canonical.empty() || r.type.empty() || r.origin.empty() ||
        page.records[i].checkpoint >= page.checkpoints.size()) {
      return absl::InvalidArgumentError(util::StrCat("page record ", i, " is incomplete"));
    }
  }
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  uint64_t inserted = 0;
  absl::Status st = w.InWriteTransaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    std::vector<int64_t> ids;
    for (const ForeignCheckpoint& c : page.checkpoints) {
      auto id = KeepForeignCheckpointLocked(c);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    std::vector<NewRecord> batch;
    batch.reserve(page.records.size());
    for (const auto& r : page.records) batch.push_back(r.record);
    auto put = PutRecordsLocked(batch, signer);
    if (!put.ok()) return put.status();
    auto proof = w.Prepare(
        "INSERT INTO origin_proofs (seq, origin_index, checkpoint, proof) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (seq) DO NOTHING");
    if (!proof.ok()) return proof.status();
    for (size_t i = 0; i < page.records.size(); ++i) {
      if (!(*put)[i].inserted) continue;
      ++inserted;
      const auto& r = page.records[i];
      std::string bytes = ProofBytes(r.proof);
      Reset reset(*proof);
      // Keyed by the record's seq, not its id: received records get
      // increasing seqs, so proofs append instead of landing all over the
      // table (measured in docs/performance.md).
      sqlite3_bind_int64(*proof, 1, static_cast<int64_t>((*put)[i].seq));
      sqlite3_bind_int64(*proof, 2, static_cast<int64_t>(std::min<uint64_t>(r.origin_index, INT64_MAX)));
      sqlite3_bind_int64(*proof, 3, ids[r.checkpoint]);
      BindBlob(*proof, 4, bytes.data(), bytes.size());
      if (sqlite3_step(*proof) != SQLITE_DONE) return w.Error("cannot keep origin proof");
    }
    auto cursor =
        w.Prepare("UPDATE peers SET cursor = ?2, received = received + ?3, rejected = rejected + ?4 WHERE name = ?1");
    if (!cursor.ok()) return cursor.status();
    Reset reset(*cursor);
    BindText(*cursor, 1, page.peer);
    BindText(*cursor, 2, page.next_cursor);
    sqlite3_bind_int64(*cursor, 3, static_cast<int64_t>(inserted));
    sqlite3_bind_int64(*cursor, 4, static_cast<int64_t>(page.rejected));
    if (sqlite3_step(*cursor) != SQLITE_DONE) return w.Error("cannot advance the cursor");
    if (sqlite3_changes(w.db()) == 0) return absl::NotFoundError(util::StrCat("no peer named ", page.peer));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return inserted;
}

absl::Status SqliteStore::AdvanceWitnessed(const Witnessed& witnessed, std::optional<uint64_t> expected_size) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  return w.InWriteTransaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    auto current = w.Prepare(
        "SELECT fc.size FROM witnessed w JOIN foreign_checkpoints fc ON fc.id = w.checkpoint WHERE w.origin = ?1");
    if (!current.ok()) return current.status();
    std::optional<uint64_t> held;
    {
      Reset reset(*current);
      BindText(*current, 1, witnessed.checkpoint.origin);
      int rc = sqlite3_step(*current);
      if (rc == SQLITE_ROW) {
        held = static_cast<uint64_t>(sqlite3_column_int64(*current, 0));
      } else if (rc != SQLITE_DONE) {
        return w.Error("cannot read the witness state");
      }
    }
    if (held != expected_size) {
      return absl::FailedPreconditionError(util::StrCat("witnessed size of ", witnessed.checkpoint.origin, " is ",
                                                        held ? std::to_string(*held) : std::string("none")));
    }
    auto id = KeepForeignCheckpointLocked(witnessed.checkpoint);
    if (!id.ok()) return id.status();
    auto set = w.Prepare(
        "INSERT INTO witnessed (origin, checkpoint, cosigned, updated_us) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (origin) DO UPDATE SET checkpoint = excluded.checkpoint, cosigned = excluded.cosigned, "
        "updated_us = excluded.updated_us");
    if (!set.ok()) return set.status();
    Reset reset(*set);
    BindText(*set, 1, witnessed.checkpoint.origin);
    sqlite3_bind_int64(*set, 2, *id);
    BindText(*set, 3, witnessed.cosigned);
    sqlite3_bind_int64(*set, 4, witnessed.updated_us);
    if (sqlite3_step(*set) != SQLITE_DONE) return w.Error("cannot update the witness state");
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> SqliteStore::RaiseSplitView(const SplitView& alert) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  int64_t id = 0;
  absl::Status st = w.InWriteTransaction([&]() -> absl::Status {
    auto insert = w.Prepare(
        "INSERT INTO split_views (origin, first, second, reason, source, raised_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (origin, first, second) DO UPDATE SET cleared_us = NULL, cleared_by = '', "
        "raised_us = CASE WHEN cleared_us IS NULL THEN raised_us ELSE excluded.raised_us END");
    auto find = w.Prepare("SELECT id FROM split_views WHERE origin = ?1 AND first = ?2 AND second = ?3");
    if (!insert.ok()) return insert.status();
    if (!find.ok()) return find.status();
    {
      Reset reset(*insert);
      BindText(*insert, 1, alert.origin);
      BindText(*insert, 2, alert.first);
      BindText(*insert, 3, alert.second);
      BindText(*insert, 4, alert.reason);
      BindText(*insert, 5, alert.source);
      sqlite3_bind_int64(*insert, 6, alert.raised_us);
      if (sqlite3_step(*insert) != SQLITE_DONE) return w.Error("cannot raise split view");
    }
    Reset reset(*find);
    BindText(*find, 1, alert.origin);
    BindText(*find, 2, alert.first);
    BindText(*find, 3, alert.second);
    if (sqlite3_step(*find) != SQLITE_ROW) return w.Error("cannot find split view");
    id = sqlite3_column_int64(*find, 0);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return id;
}

absl::Status SqliteStore::ClearSplitView(int64_t id, int64_t now_us, std::string_view by) {
  absl::MutexLock lock(&mu_);
  Conn& w = *writer_;
  return w.InWriteTransaction([&]() -> absl::Status {
    auto s = w.Prepare("UPDATE split_views SET cleared_us = ?2, cleared_by = ?3 WHERE id = ?1 AND cleared_us IS NULL");
    auto forget = w.Prepare("DELETE FROM witnessed WHERE origin = (SELECT origin FROM split_views WHERE id = ?1)");
    if (!s.ok()) return s.status();
    if (!forget.ok()) return forget.status();
    {
      Reset reset(*s);
      sqlite3_bind_int64(*s, 1, id);
      sqlite3_bind_int64(*s, 2, now_us);
      BindText(*s, 3, by);
      if (sqlite3_step(*s) != SQLITE_DONE) return w.Error("cannot clear split view");
      if (sqlite3_changes(w.db()) == 0) return absl::NotFoundError(util::StrCat("no open split view ", id));
    }
    Reset reset(*forget);
    sqlite3_bind_int64(*forget, 1, id);
    if (sqlite3_step(*forget) != SQLITE_DONE) return w.Error("cannot reset the witness state");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options) {
  struct stat st;
  if (!options.create && ::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(util::StrCat("no store at ", path));
  }
  auto writer = Conn::Open(path, options.create);
  if (!writer.ok()) return writer.status();
  size_t readers = options.readers > 0 ? options.readers : std::max(2u, std::thread::hardware_concurrency());
  auto store = std::make_unique<SqliteStore>(std::move(*writer), path, readers);
  if (auto status = store->Init(options); !status.ok()) {
    if (status.code() == absl::StatusCode::kDataLoss) {
      return absl::FailedPreconditionError(util::StrCat(path, " is not an aisafe store (", status.message(), ")"));
    }
    return status;
  }
  return store;
}

}  // namespace aisafe::store
