// The store conformance suite: typed tests every backend must pass (CT's
// database_test.cc). Today: SQLite; PostgreSQL joins with its backend.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "tests/test_util.h"
#include "util/hex.h"

namespace aisafe::store {
namespace {

struct SqliteFactory {
  static absl::StatusOr<std::unique_ptr<Store>> Open(const testing::TempDir& dir) {
    return OpenSqliteStore(dir.Sub("store.sqlite"), {.create = true});
  }
};

template <typename Factory>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto s = Factory::Open(dir_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }

  struct Owned {
    std::string canonical, type, origin, tlp, created;
    NewRecord rec;
  };
  // A record whose bytes are `body`; time in microseconds.
  static std::unique_ptr<Owned> Make(const std::string& body, const std::string& type, int64_t us,
                                     std::optional<util::Digest> submission = std::nullopt) {
    auto o = std::make_unique<Owned>();
    o->canonical = body;
    o->type = type;
    o->origin = "my-mcmc";
    o->tlp = "green";
    o->created = "2026-11-23T00:00:00Z";
    o->rec = {util::Sha256(o->canonical), o->canonical, o->type, o->origin, o->tlp, o->created, us, submission};
    return o;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

using Backends = ::testing::Types<SqliteFactory>;
TYPED_TEST_SUITE(StoreTest, Backends);

TYPED_TEST(StoreTest, PutGetCountSurviveReopen) {
  auto a = this->Make("{\"a\":1}", "incident", 100);
  auto b = this->Make("{\"b\":2}", "practice", 200);
  NewRecord batch[] = {a->rec, b->rec};
  auto out = this->store_->PutBatch(batch);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE((*out)[0].inserted && (*out)[1].inserted);
  this->Reopen();
  auto got = this->store_->Get(a->rec.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->canonical, "{\"a\":1}");
  EXPECT_EQ((*got)->type, "incident");
  EXPECT_EQ((*got)->created_us, 100);
  EXPECT_EQ(*this->store_->Count(std::nullopt), 2u);
  EXPECT_EQ(*this->store_->Count("practice"), 1u);
  EXPECT_FALSE(this->store_->Get(util::Sha256("absent"))->has_value());
}

TYPED_TEST(StoreTest, DuplicatesAreNotStoredTwice) {
  auto a = this->Make("{\"a\":1}", "incident", 100);
  NewRecord batch[] = {a->rec, a->rec};
  auto out = this->store_->PutBatch(batch);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE((*out)[0].inserted);
  EXPECT_FALSE((*out)[1].inserted);
  EXPECT_EQ(*this->store_->Count(std::nullopt), 1u);
}

TYPED_TEST(StoreTest, SubmissionDigestMapsToFirstRecord) {
  util::Digest sub = util::Sha256("as submitted");
  auto a = this->Make("{\"n\":1}", "incident", 100, sub);
  auto b = this->Make("{\"n\":2}", "incident", 200, sub);  // Same submission, other nonce.
  NewRecord first[] = {a->rec};
  ASSERT_TRUE(this->store_->PutBatch(first).ok());
  NewRecord second[] = {b->rec};
  auto out = this->store_->PutBatch(second);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE((*out)[0].inserted);
  EXPECT_EQ((*out)[0].id, a->rec.id);
  EXPECT_EQ(**this->store_->FindSubmission(sub), a->rec.id);
  EXPECT_EQ(*this->store_->Count(std::nullopt), 1u);
}

TYPED_TEST(StoreTest, IncompleteBatchStoresNothing) {
  auto a = this->Make("{\"a\":1}", "incident", 100);
  auto bad = this->Make("{\"b\":1}", "incident", 100);
  bad->rec.type = "";
  NewRecord batch[] = {a->rec, bad->rec};
  EXPECT_EQ(this->store_->PutBatch(batch).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*this->store_->Count(std::nullopt), 0u);
}

TYPED_TEST(StoreTest, ListsNewestFirstWithCursor) {
  std::vector<std::unique_ptr<typename TestFixture::Owned>> owned;
  std::vector<NewRecord> batch;
  for (int i = 0; i < 25; ++i) {
    // Several records share a timestamp: ties break by arrival.
    owned.push_back(this->Make("{\"i\":" + std::to_string(i) + "}", i % 2 ? "incident" : "practice", 1000 + i / 3));
    batch.push_back(owned.back()->rec);
  }
  ASSERT_TRUE(this->store_->PutBatch(batch).ok());
  std::vector<std::string> seen;
  ListQuery q;
  q.limit = 7;
  for (;;) {
    auto page = this->store_->List(q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& r : page->records) seen.push_back(r.canonical);
    if (page->next_cursor.empty()) break;
    q.cursor = page->next_cursor;
  }
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], "{\"i\":" + std::to_string(24 - i) + "}");

  q = ListQuery{};
  q.type = "incident";
  q.limit = 100;
  auto page = this->store_->List(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->records.size(), 12u);
  EXPECT_TRUE(page->next_cursor.empty());
}

TYPED_TEST(StoreTest, RejectsBadCursorAndLimit) {
  ListQuery q;
  q.cursor = "not a cursor!";
  EXPECT_EQ(this->store_->List(q).status().code(), absl::StatusCode::kInvalidArgument);
  q.cursor = "";
  q.limit = 0;
  EXPECT_EQ(this->store_->List(q).status().code(), absl::StatusCode::kInvalidArgument);
}

TYPED_TEST(StoreTest, Meta) {
  EXPECT_FALSE(this->store_->GetMeta("k")->has_value());
  ASSERT_TRUE(this->store_->SetMeta("k", "v1").ok());
  ASSERT_TRUE(this->store_->SetMeta("k", "v2").ok());
  this->Reopen();
  EXPECT_EQ(**this->store_->GetMeta("k"), "v2");
}

// SQLite-specific: what the file says about itself.

TEST(SqliteStore, RefusesForeignDatabasesAndNewerVersions) {
  testing::TempDir dir;
  std::string path = dir.Sub("other.sqlite");
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = OpenSqliteStore(path);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("not an aisafe store"), absl::string_view::npos) << s.status();

  std::string ours = dir.Sub("ours.sqlite");
  ASSERT_TRUE(OpenSqliteStore(ours, {.create = true}).ok());
  ASSERT_EQ(sqlite3_open(ours.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  s = OpenSqliteStore(ours);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("newer"), absl::string_view::npos);
}

TEST(SqliteStore, RefusesGarbageFiles) {
  testing::TempDir dir;
  std::string path = dir.Sub("garbage.sqlite");
  std::ofstream(path) << std::string(8192, 'x');
  auto s = OpenSqliteStore(path);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition) << s.status();
}

TEST(SqliteStore, MissingIsNotFoundUnlessCreating) {
  testing::TempDir dir;
  EXPECT_EQ(OpenSqliteStore(dir.Sub("none.sqlite")).status().code(), absl::StatusCode::kNotFound);
}

TEST(SqliteStore, UsesWalAndSchemaVersion) {
  testing::TempDir dir;
  std::string path = dir.Sub("s.sqlite");
  ASSERT_TRUE(OpenSqliteStore(path, {.create = true}).ok());
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), kSqliteSchemaVersion);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

}  // namespace
}  // namespace aisafe::store
