// End to end: search through real `aisafe` processes (issue 6).
//
//   - `aisafe search` finds records in Thai, Lao, Khmer, Burmese (written
//     without spaces), Vietnamese with and without diacritics and
//     Indonesian by another form of the word; --public shows TLP:CLEAR
//     only; a bad query exits 2 naming QUERY;
//   - GET /v1/search on `aisafe serve`: totals and facets differ between
//     the public, a contributor and an analyst exactly by what each may
//     see; bad parameters are 400 problems naming them; Accept-Language is
//     the query's language; a record is searchable as soon as POST
//     /v1/records answers, and so are records received by `aisafe sync`;
//   - kill -9 during a large `aisafe submit`: after a restart the index
//     holds exactly the store's records, round after round;
//   - relevance over the multilingual corpus (tests/data/search): recall@10
//     and MRR, overall and per language, printed to the test log and held
//     above the floors below.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "nlohmann/json.hpp"
#include "search/xapian_index.h"
#include "store/sqlite_store.h"
#include "tests/http_client.h"

extern char** environ;

namespace aisafe {
namespace {

using Json = nlohmann::json;
using testing::Http;
using testing::HttpOptions;
using testing::HttpResult;
using testing::Result;
using testing::ServeProcess;

// Floors for the relevance test (tests/data/search/README.md describes the
// corpus and how relevance was judged). Measured when they were set: recall@10
// 0.737 (the best any ranking can reach is 0.749, as five queries have more
// than ten relevant records) and MRR 0.951. The recall that is missing is
// relevance by meaning with no shared word (a "deepfakes" query and a record
// about cloned voices, Filipino "baha" in "pagbaha" without a stemmer), which
// word matching cannot reach. The floors sit a few points below, so a
// regression in segmentation, stemming or folding (each worth more than that
// on its languages) fails the test while the ranking may still be tuned.
constexpr double kMinRecallAt10 = 0.70;
constexpr double kMinMrr = 0.90;

constexpr char kCorpus[] = AISAFE_SEARCH_CORPUS "/corpus.jsonl";
constexpr char kQueries[] = AISAFE_SEARCH_CORPUS "/queries.jsonl";

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string Query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "?" : "&") + k + "=" + UrlEncode(v);
  return out;
}

// "N shown of M matching records" on the CLI's stderr: M.
int64_t TotalOf(const std::string& err) {
  size_t of = err.find(" shown of ");
  if (of == std::string::npos) return -1;
  std::string rest = err.substr(of + 10);
  if (rest.rfind("more than ", 0) == 0) return -1;
  return std::atoll(rest.c_str());
}

// Records and keys of the corpus, waiting a while for it if another
// helper is still writing it.
struct Corpus {
  std::vector<std::string> keys;
  std::vector<Json> records;
  std::vector<Json> queries;
};

Corpus LoadCorpus() {
  Corpus c;
  for (const std::string& line : Lines(testing::Slurp(kCorpus))) {
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    c.keys.push_back(j["key"]);
    c.records.push_back(j["record"]);
  }
  for (const std::string& line : Lines(testing::Slurp(kQueries))) {
    Json j = Json::parse(line, nullptr, false);
    if (j.is_object()) c.queries.push_back(j);
  }
  return c;
}

class SearchE2eTest : public testing::CliFixture {
 protected:
  std::string Dir(const std::string& name) const { return tmp_.Sub(name); }
  Result At(const std::string& dir, std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {"--data", dir});
    return Run(args, in);
  }
  void InitAt(const std::string& dir, const std::string& name, const std::string& cc) {
    Result r = At(dir, {"init", "--name", name, "--country", cc});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  // Submits documents from a file; returns their ids in input order.
  std::vector<std::string> SubmitFile(const std::string& dir, const std::string& file) {
    Result r = At(dir, {"submit", file});
    EXPECT_EQ(r.code, 0) << r.err;
    return Lines(r.out);
  }
  std::vector<std::string> SubmitDocs(const std::string& dir, const std::vector<Json>& docs, const std::string& name) {
    std::string text;
    for (const Json& d : docs) text += d.dump() + "\n";
    std::string file = tmp_.Sub(name);
    testing::WriteFile(file, text);
    return SubmitFile(dir, file);
  }
  // Loads the examples and the corpus: key -> id (examples as "example-N"),
  // and id -> tlp.
  void LoadAll(const std::string& dir, std::map<std::string, std::string>* ids,
               std::map<std::string, std::string>* tlps) {
    std::vector<std::string> ex = SubmitFile(dir, AISAFE_EXAMPLES);
    std::vector<std::string> ex_lines = Lines(testing::Slurp(AISAFE_EXAMPLES));
    ASSERT_EQ(ex.size(), ex_lines.size());
    for (size_t i = 0; i < ex.size(); ++i) {
      (*ids)["example-" + std::to_string(i)] = ex[i];
      (*tlps)[ex[i]] = Json::parse(ex_lines[i])["tlp"];
    }
    Corpus c = LoadCorpus();
    ASSERT_FALSE(c.records.empty()) << "no corpus at " << kCorpus;
    std::vector<std::string> got = SubmitDocs(dir, c.records, "corpus-records.jsonl");
    ASSERT_EQ(got.size(), c.keys.size());
    for (size_t i = 0; i < got.size(); ++i) {
      (*ids)[c.keys[i]] = got[i];
      (*tlps)[got[i]] = c.records[i]["tlp"];
    }
  }
  // `aisafe search`, hits as JSON.
  std::vector<Json> Search(const std::string& dir, std::vector<std::string> args, Result* result = nullptr) {
    args.insert(args.begin(), "search");
    Result r = At(dir, args);
    EXPECT_EQ(r.code, 0) << r.err;
    std::vector<Json> hits;
    for (const std::string& line : Lines(r.out)) hits.push_back(Json::parse(line, nullptr, false));
    if (result) *result = r;
    return hits;
  }
  static bool HasId(const std::vector<Json>& hits, const std::string& id) {
    for (const Json& h : hits) {
      if (h.is_object() && h["id"] == id) return true;
    }
    return false;
  }
  std::string Token(const std::string& dir, const std::string& name, const std::string& role) {
    Result add = At(dir, {"principal", "add", name, "--role", role});
    EXPECT_EQ(add.code, 0) << add.err;
    Result t = At(dir, {"token", "create", name});
    EXPECT_EQ(t.code, 0) << t.err;
    return Lines(t.out).empty() ? "" : Lines(t.out)[0];
  }
  static HttpOptions As(const std::string& token) {
    HttpOptions o;
    if (!token.empty()) o.headers.emplace_back("Authorization", "Bearer " + token);
    return o;
  }
  std::string Key(const std::string& dir) {
    Result r = At(dir, {"key"});
    EXPECT_EQ(r.code, 0) << r.err;
    std::string k = r.out;
    while (!k.empty() && (k.back() == '\n' || k.back() == ' ')) k.pop_back();
    return k;
  }
};

// Reads a store's record count directly, read-only (as another process
// would while `aisafe submit` writes).
class StoreCounter {
 public:
  explicit StoreCounter(const std::string& dir) {
    if (sqlite3_open_v2((dir + "/store.sqlite").c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db_);
      db_ = nullptr;
      return;
    }
    sqlite3_busy_timeout(db_, 10000);
    sqlite3_prepare_v2(db_, "SELECT count(*) FROM records", -1, &stmt_, nullptr);
  }
  ~StoreCounter() {
    sqlite3_finalize(stmt_);
    sqlite3_close(db_);
  }
  int64_t Count() {
    if (stmt_ == nullptr) return -1;
    sqlite3_reset(stmt_);
    int64_t n = sqlite3_step(stmt_) == SQLITE_ROW ? sqlite3_column_int64(stmt_, 0) : -1;
    sqlite3_reset(stmt_);
    return n;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// The index's own view, without catching up (what a crash left).
struct IndexState {
  uint64_t docs = 0, mark = 0;
  bool ok = false;
};
IndexState ReadIndex(const std::string& dir) {
  IndexState s;
  auto index = search::OpenXapianIndex(dir + "/search");
  if (!index.ok()) return s;
  auto docs = (*index)->DocCount();
  auto mark = (*index)->Mark();
  if (!docs.ok() || !mark.ok()) return s;
  s.docs = *docs;
  s.mark = mark->size;
  s.ok = true;
  return s;
}

uint64_t LogSize(const std::string& dir) {
  auto s = store::OpenSqliteStore(dir + "/store.sqlite");
  if (!s.ok()) return 0;
  auto n = (*s)->LogSize();
  return n.ok() ? *n : 0;
}

// ------------------------------------------------------------------ CLI

TEST_F(SearchE2eTest, CliFindsRecordsInEveryScriptAndForm) {
  InitAt(data(), "sg-search", "SG");
  std::map<std::string, std::string> ids, tlps;
  LoadAll(data(), &ids, &tlps);
  struct Case {
    std::string q, qlang, key;
    bool exact = false;
    bool found = true;
  };
  const Case cases[] = {
      {"ดีปเฟก", "th", "th-001"},                // Thai, inside an unspaced run.
      {"ດີບເຟັກ", "lo", "lo-001"},                // Lao.
      {"ដីបហ្វេក", "km", "km-001"},               // Khmer.
      {"လိမ်လည်", "my", "my-001"},                 // Burmese.
      {"bầu cử", "vi", "vi-018"},               // Vietnamese.
      {"bau cu", "vi", "vi-018"},               // ... typed without diacritics.
      {"dự báo lũ", "vi", "vi-014"},            //
      {"du bao lu", "vi", "vi-014"},            //
      {"bau cu", "vi", "vi-018", true, false},  // --exact-diacritics: no folding.
      {"menipu", "id", "id-015"},               // Indonesian: the text says penipuan.
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.q);
    std::vector<std::string> args = {c.q, "--query-lang", c.qlang, "--limit", "20"};
    if (c.exact) args.push_back("--exact-diacritics");
    std::vector<Json> hits = Search(data(), args);
    EXPECT_EQ(HasId(hits, ids[c.key]), c.found) << c.key;
    for (const Json& h : hits) EXPECT_TRUE(h.contains("snippet") && h.contains("title")) << h.dump();
  }
  // The Indonesian form is found through the Indonesian stemmer only.
  std::vector<Json> unstemmed = Search(data(), {"menipu", "--query-lang", "en", "--limit", "100"});
  EXPECT_FALSE(HasId(unstemmed, ids["id-015"]));
  // A single --lang is also the query's language.
  std::vector<Json> by_lang = Search(data(), {"menipu", "--lang", "id"});
  EXPECT_TRUE(HasId(by_lang, ids["id-015"]));
  for (const Json& h : by_lang) EXPECT_EQ(h["lang"], "id");
}

TEST_F(SearchE2eTest, CliPublicShowsOnlyClearAndBadQueriesExit2) {
  InitAt(data(), "sg-search", "SG");
  std::map<std::string, std::string> ids, tlps;
  LoadAll(data(), &ids, &tlps);
  size_t clear = 0;
  for (const auto& [id, tlp] : tlps) clear += tlp == "clear";
  for (std::string q : {"", "deepfake", "AI", "ดีปเฟก", "lừa đảo", "scam OR penipuan", "NOT deepfake"}) {
    SCOPED_TRACE(q);
    Result pub, op;
    std::vector<Json> hits = Search(data(), {q, "--public", "--limit", "100", "--facets"}, &pub);
    for (const Json& h : hits) EXPECT_EQ(h["tlp"], "clear") << h.dump().substr(0, 200);
    Search(data(), {q, "--limit", "100", "--facets"}, &op);
    EXPECT_LE(TotalOf(pub.err), TotalOf(op.err));
    size_t facets = pub.err.find("facets: ");
    ASSERT_NE(facets, std::string::npos) << pub.err;
    Json f = Json::parse(pub.err.substr(facets + 8), nullptr, false);
    ASSERT_TRUE(f.is_object()) << pub.err;
    if (f.contains("tlp")) {
      for (const auto& [tlp, n] : f["tlp"].items()) EXPECT_EQ(tlp, "clear");
    }
  }
  Result pub, op;
  Search(data(), {"", "--public", "--limit", "1"}, &pub);
  Search(data(), {"", "--limit", "1"}, &op);
  EXPECT_EQ(TotalOf(pub.err), static_cast<int64_t>(clear));
  EXPECT_EQ(TotalOf(op.err), static_cast<int64_t>(tlps.size()));

  for (const std::string& bad : {std::string("\"unbalanced"), std::string("(deepfake"), std::string("!!!"),
                                 std::string("scam \xff"), std::string(5000, 'a')}) {
    SCOPED_TRACE(bad.substr(0, 20));
    Result r = Node({"search", bad});
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("QUERY"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  Result limit = Node({"search", "deepfake", "--limit", "0"});
  EXPECT_EQ(limit.code, 2);
  EXPECT_NE(limit.err.find("limit"), std::string::npos) << limit.err;
  Result type = Node({"search", "deepfake", "--type", "rumour"});
  EXPECT_EQ(type.code, 2);
  EXPECT_NE(type.err.find("type"), std::string::npos) << type.err;
}

// ----------------------------------------------------------------- HTTP

TEST_F(SearchE2eTest, ApiAnswersEachCallerByWhatItMaySee) {
  InitAt(data(), "sg-search", "SG");
  std::map<std::string, std::string> ids, tlps;
  LoadAll(data(), &ids, &tlps);
  std::string contributor = Token(data(), "c1", "contributor");
  std::string analyst = Token(data(), "a1", "analyst");
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  uint16_t port = serve.port();
  auto get = [&](const std::string& token, const std::vector<std::pair<std::string, std::string>>& params,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpOptions o = As(token);
    for (auto& h : headers) o.headers.push_back(h);
    HttpResult r = Http(port, "GET", "/v1/search" + Query(params), o);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body, nullptr, false);
  };
  const std::map<std::string, std::set<std::string>> sees = {
      {"public", {"clear"}},
      {"contributor", {"clear", "green"}},
      {"analyst", {"clear", "green", "amber", "amber+strict", "red"}}};
  const std::map<std::string, std::string> tokens = {
      {"public", ""}, {"contributor", contributor}, {"analyst", analyst}};
  // Every page of an answer: its hits gathered, its total and facets.
  auto get_all = [&](const std::string& token, const std::string& q) {
    Json first;
    Json hits = Json::array();
    for (size_t offset = 0;;) {
      Json page = get(token, {{"q", q}, {"facets", "true"}, {"limit", "100"}, {"offset", std::to_string(offset)}});
      if (!page.is_object()) return Json();
      if (first.is_null()) first = page;
      EXPECT_EQ(page["total"], first["total"]);
      EXPECT_EQ(page["facets"], first["facets"]);
      for (const Json& h : page["hits"]) hits.push_back(h);
      if (!page.contains("next_offset")) break;
      offset = page["next_offset"];
    }
    first["hits"] = hits;
    EXPECT_EQ(hits.size(), first["total"].get<size_t>());
    return first;
  };
  for (std::string q : {"", "deepfake", "scam", "AI", "ดีปเฟก", "penipuan OR scam", "NOT deepfake"}) {
    SCOPED_TRACE(q);
    std::map<std::string, Json> answer;
    for (const auto& [role, token] : tokens) {
      answer[role] = get_all(token, q);
      ASSERT_TRUE(answer[role].is_object());
    }
    const Json& full = answer["analyst"];
    ASSERT_GT(full["total"].get<uint64_t>(), 0u);
    for (const auto& [role, allowed] : sees) {
      SCOPED_TRACE(role);
      const Json& a = answer[role];
      // The analyst's hits restricted to the role's markings, exactly.
      std::set<std::string> want, got;
      for (const Json& h : full["hits"]) {
        if (allowed.count(h["tlp"])) want.insert(h["id"]);
      }
      for (const Json& h : a["hits"]) {
        got.insert(h["id"]);
        EXPECT_TRUE(allowed.count(h["tlp"])) << h["tlp"];
        EXPECT_EQ(h["tlp"], tlps[h["id"]]);
      }
      EXPECT_EQ(got, want);
      EXPECT_EQ(a["total"], want.size());
      // Facet counts: the analyst's, for the role's markings only.
      uint64_t by_tlp = 0;
      for (const auto& [tlp, n] : a["facets"]["tlp"].items()) {
        EXPECT_TRUE(allowed.count(tlp)) << tlp;
        EXPECT_EQ(n, full["facets"]["tlp"][tlp]) << tlp;
        by_tlp += n.get<uint64_t>();
      }
      EXPECT_EQ(by_tlp, a["total"].get<uint64_t>());
      for (const auto& tlp : allowed) {
        if (full["facets"]["tlp"].contains(tlp)) {
          EXPECT_TRUE(a["facets"]["tlp"].contains(tlp)) << tlp;
        }
      }
      // Other facets never count more than the analyst sees.
      for (const auto& [facet, values] : a["facets"].items()) {
        for (const auto& [value, n] : values.items()) {
          EXPECT_LE(n.get<uint64_t>(), full["facets"][facet][value].get<uint64_t>()) << facet << "=" << value;
        }
      }
    }
    if (q.empty()) {
      EXPECT_LT(answer["public"]["total"], answer["contributor"]["total"]);
      EXPECT_LT(answer["contributor"]["total"], answer["analyst"]["total"]);
      EXPECT_EQ(answer["analyst"]["total"], tlps.size());
    }
  }

  // Bad parameters: 400 problems naming them.
  const std::pair<std::vector<std::pair<std::string, std::string>>, std::string> bad[] = {
      {{{"q", "deepfake"}, {"limit", "0"}}, "limit"},
      {{{"q", "deepfake"}, {"limit", "abc"}}, "limit"},
      {{{"q", "deepfake"}, {"limit", "101"}}, "limit"},
      {{{"q", "deepfake"}, {"type", "rumour"}}, "type"},
      {{{"q", "\"deepfake"}}, "q"},
      {{{"q", "!!!"}}, "q"},
      {{{"q", std::string(5000, 'a')}}, "q"},
      {{{"q", "a"}, {"offset", "9995"}}, "offset"},
      {{{"q", "a"}, {"country", "th"}}, "country"},
      {{{"q", "a"}, {"from", "yesterday"}}, "from"},
      {{{"q", "a"}, {"colour", "red"}}, "colour"},
      {{{"q", "a"}, {"qlang", "not a tag"}}, "qlang"},
  };
  for (const auto& [params, name] : bad) {
    SCOPED_TRACE(name);
    HttpResult r = Http(port, "GET", "/v1/search" + Query(params));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    Json p = Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(p.is_object()) << r.body;
    EXPECT_EQ(p["errors"][0]["parameter"], name) << r.body;
    EXPECT_EQ(p["detail"].get<std::string>().rfind(name + ": ", 0), 0u) << r.body;
  }
  HttpResult bad_utf8 = Http(port, "GET", "/v1/search?q=scam%FF");
  EXPECT_EQ(bad_utf8.status, 400) << bad_utf8.body;
  EXPECT_NE(bad_utf8.body.find("\"parameter\":\"q\""), std::string::npos) << bad_utf8.body;

  // Accept-Language is the query's language when qlang is absent.
  auto ids_of = [](const Json& j) {
    std::vector<std::string> out;
    for (const Json& h : j["hits"]) out.push_back(h["id"]);
    return out;
  };
  Json stemmed = get("", {{"q", "menipu"}, {"qlang", "id"}, {"limit", "50"}});
  Json plain = get("", {{"q", "menipu"}, {"qlang", "en"}, {"limit", "50"}});
  Json accepted = get("", {{"q", "menipu"}, {"limit", "50"}}, {{"Accept-Language", "id-ID,id;q=0.9,en;q=0.5"}});
  Json overridden = get("", {{"q", "menipu"}, {"qlang", "en"}, {"limit", "50"}}, {{"Accept-Language", "id-ID"}});
  EXPECT_NE(ids_of(stemmed), ids_of(plain)) << "the stemmer must matter for this test";
  EXPECT_EQ(ids_of(accepted), ids_of(stemmed));
  EXPECT_EQ(accepted["total"], stemmed["total"]);
  EXPECT_EQ(ids_of(overridden), ids_of(plain));

  // A record is searchable as soon as POST /v1/records has answered.
  Json doc = Json::parse(Lines(testing::Slurp(AISAFE_EXAMPLES))[0]);
  doc["title"] = "Zyxwvu quokka incident";
  doc["tlp"] = "green";
  doc.erase("audience");
  HttpOptions post = As(contributor);
  post.headers.emplace_back("Content-Type", "application/json");
  post.body = doc.dump();
  HttpResult created = Http(port, "POST", "/v1/records", post);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string new_id = Json::parse(created.body)["records"][0]["id"];
  Json found = get(contributor, {{"q", "zyxwvu quokka"}, {"match", "all"}});
  ASSERT_EQ(found["total"], 1u) << found.dump();
  EXPECT_EQ(found["hits"][0]["id"], new_id);
  EXPECT_NE(found["hits"][0]["title"].get<std::string>().find("Zyxwvu"), std::string::npos);
  EXPECT_EQ(get("", {{"q", "zyxwvu"}})["total"], 0u) << "a green record shown to the public";
}

TEST_F(SearchE2eTest, RecordsReceivedBySyncAreSearchable) {
  std::string sender = Dir("sg.test"), receiver = Dir("my.test");
  InitAt(sender, "sg.test", "SG");
  InitAt(receiver, "my.test", "MY");
  ASSERT_EQ(At(sender, {"member", "add", "my.test", Key(receiver), "--country", "MY"}).code, 0);
  Json doc = Json::parse(Lines(testing::Slurp(AISAFE_EXAMPLES))[0]);
  doc.erase("audience");
  std::vector<Json> docs;
  for (const auto& [tlp, title] : std::vector<std::pair<std::string, std::string>>{
           {"clear", "Federatedclear marker"}, {"green", "Federatedgreen marker"}, {"red", "Federatedred marker"}}) {
    doc["tlp"] = tlp;
    doc["title"] = title;
    docs.push_back(doc);
  }
  std::vector<std::string> sent = SubmitDocs(sender, docs, "fed.jsonl");
  ASSERT_EQ(sent.size(), 3u);
  ServeProcess origin(sender, {"--sync-interval", "0"});
  ASSERT_GT(origin.port(), 0) << origin.Stderr();
  ServeProcess serve(receiver, {"--sync-interval", "0"});
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  std::string contributor = Token(receiver, "c1", "contributor");
  ASSERT_EQ(
      At(receiver, {"peer", "add", "sg.test", "http://127.0.0.1:" + std::to_string(origin.port()), Key(sender)}).code,
      0);
  Result sync = At(receiver, {"sync"});
  ASSERT_EQ(sync.code, 0) << sync.err;
  // The sync indexed what it stored (no search has caught up yet).
  IndexState state = ReadIndex(receiver);
  ASSERT_TRUE(state.ok);
  EXPECT_EQ(state.docs, 2u);
  EXPECT_EQ(state.mark, LogSize(receiver));
  auto search = [&](const std::string& token, const std::string& q) {
    HttpResult r = Http(serve.port(), "GET", "/v1/search" + Query({{"q", q}}), As(token));
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body, nullptr, false);
  };
  Json clear = search("", "federatedclear");
  ASSERT_EQ(clear["total"], 1u) << clear.dump();
  EXPECT_EQ(clear["hits"][0]["id"], sent[0]);
  EXPECT_EQ(clear["hits"][0]["origin"], "sg.test");
  EXPECT_EQ(search("", "federatedgreen")["total"], 0u);
  Json green = search(contributor, "federatedgreen");
  ASSERT_EQ(green["total"], 1u);
  EXPECT_EQ(green["hits"][0]["id"], sent[1]);
  EXPECT_EQ(search(contributor, "federatedred")["total"], 0u);
  // Both received records, by the word they share.
  Json all = search(contributor, "marker");
  EXPECT_EQ(all["total"], 2u);
}

// ------------------------------------------------------------ kill -9

TEST_F(SearchE2eTest, KilledSubmitLeavesAnIndexThatRestartRepairs) {
  Init();
  Json base = Json::parse(Lines(testing::Slurp(AISAFE_EXAMPLES))[0]);
  base.erase("audience");
  base["tlp"] = "clear";
  base.erase("summary");
  base["body"]["description"] = "bulk";
  // Fewer under the sanitizers, whose submit is ten times slower; still
  // several of the indexer's batches.
#ifdef __SANITIZE_ADDRESS__
  constexpr int kRecords = 6000;
#else
  constexpr int kRecords = 20000;
#endif
  int64_t expected_store = 0;
  int behind_rounds = 0;
  // Where to kill: `ms` after the store's commit is visible (the index is
  // then being written, a batch at a time), or `ms` after the start.
  struct When {
    bool after_commit;
    int ms;
  };
  const When kills[] = {{true, 0}, {false, 300}, {true, 900}};
  int round = 0;
  for (const When& when : kills) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::string file = tmp_.Sub("bulk" + std::to_string(round) + ".jsonl");
    {
      std::ofstream out(file);
      for (int i = 0; i < kRecords; ++i) {
        base["title"] = "bulk round" + std::to_string(round) + " n" + std::to_string(i);
        out << base.dump() << "\n";
      }
    }
    std::vector<std::string> args = {AISAFE_BINARY, "--data", data(), "submit", file};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    std::string err_path = tmp_.Sub("submit.err");
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    bool exited = false;
    {
      StoreCounter counter(data());
      auto start = std::chrono::steady_clock::now();
      bool committed = !when.after_commit;
      while (true) {
        if (!committed && counter.Count() > expected_store) {
          committed = true;
          start = std::chrono::steady_clock::now();
        }
        if (committed && std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(when.ms)) break;
        if (::waitpid(pid, nullptr, WNOHANG) == pid) {
          exited = true;
          break;
        }
        if (std::chrono::steady_clock::now() - start > std::chrono::seconds(600)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    if (!exited) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    // What the crash left: the index holds a prefix of the log, its
    // documents and mark committed together.
    int64_t stored = StoreCounter(data()).Count();
    EXPECT_TRUE(stored == expected_store || stored == expected_store + kRecords) << stored << " of a batch stored";
    IndexState left = ReadIndex(data());
    ASSERT_TRUE(left.ok);
    EXPECT_EQ(left.docs, left.mark);
    EXPECT_LE(left.mark, static_cast<uint64_t>(stored));
    behind_rounds += left.mark < static_cast<uint64_t>(stored);
    std::cout << "[ round " << round << " ] killed " << (exited ? "after exit" : "mid-run") << ": store " << stored
              << ", index " << left.docs << "\n";
    int64_t before = expected_store;
    expected_store = stored;
    // A restart (any command that opens the node) repairs it.
    Result r = Node({"search", "", "--limit", "1", "--facets"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(TotalOf(r.err), stored) << r.err;
    Result words = Node({"search", "round" + std::to_string(round), "--limit", "1", "--facets"});
    ASSERT_EQ(words.code, 0) << words.err;
    EXPECT_EQ(TotalOf(words.err), stored - before) << "this round's records, all or none";
    IndexState repaired = ReadIndex(data());
    ASSERT_TRUE(repaired.ok);
    EXPECT_EQ(repaired.docs, static_cast<uint64_t>(stored));
    EXPECT_EQ(repaired.mark, LogSize(data()));
    ++round;
  }
  std::cout << "[ kill ] " << behind_rounds << " of " << round << " rounds left the index behind the store\n";
}

// ------------------------------------------------------------ relevance

TEST_F(SearchE2eTest, RelevanceOverTheMultilingualCorpus) {
  Corpus c;
  for (int attempt = 0; attempt < 24; ++attempt) {
    c = LoadCorpus();
    if (!c.records.empty() && !c.queries.empty()) break;
    std::this_thread::sleep_for(std::chrono::seconds(5));  // Another helper may still be writing it.
  }
  ASSERT_FALSE(c.records.empty()) << kCorpus;
  ASSERT_FALSE(c.queries.empty()) << kQueries;
  InitAt(data(), "corpus.test", "SG");
  std::vector<std::string> ids = SubmitDocs(data(), c.records, "corpus.jsonl");
  ASSERT_EQ(ids.size(), c.keys.size());
  std::map<std::string, std::string> key_of;
  for (size_t i = 0; i < ids.size(); ++i) key_of[ids[i]] = c.keys[i];
  // Judged over every record of the corpus, green ones too: an analyst.
  std::string analyst = Token(data(), "a1", "analyst");
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0) << serve.Stderr();

  struct Score {
    double recall = 0, capped = 0, rr = 0;
    int n = 0;
  };
  // Two protocols (README, "How relevance was judged"): "scoped" filters a
  // monolingual query to its language, as the judgements are scoped;
  // "open" searches everything (other languages' hits count as misses).
  std::map<std::string, std::map<std::string, Score>> scores;  // protocol -> lang ("all") -> score
  for (const Json& q : c.queries) {
    std::string lang = q["lang"];
    bool cross = q["note"].get<std::string>().rfind("cross-language:", 0) == 0;
    std::set<std::string> relevant(q["relevant"].begin(), q["relevant"].end());
    for (const std::string protocol : {"scoped", "open"}) {
      std::vector<std::pair<std::string, std::string>> params = {{"q", q["q"]}, {"qlang", lang}, {"limit", "10"}};
      if (protocol == "scoped" && !cross) params.emplace_back("lang", lang);
      HttpResult r = Http(serve.port(), "GET", "/v1/search" + Query(params), As(analyst));
      ASSERT_EQ(r.status, 200) << q["id"] << ": " << r.body;
      Json j = Json::parse(r.body);
      size_t found = 0;
      double rr = 0;
      int rank = 0;
      for (const Json& h : j["hits"]) {
        ++rank;
        if (relevant.count(key_of[h["id"]])) {
          ++found;
          if (rr == 0) rr = 1.0 / rank;
        }
      }
      double recall = static_cast<double>(found) / static_cast<double>(relevant.size());
      // What a perfect top 10 would reach (five queries have more than ten
      // relevant records).
      double capped = static_cast<double>(found) / static_cast<double>(std::min<size_t>(relevant.size(), 10));
      for (const std::string& group : {std::string("all"), lang}) {
        Score& s = scores[protocol][group];
        s.recall += recall;
        s.capped += capped;
        s.rr += rr;
        ++s.n;
      }
      if (protocol == "scoped" && recall < 0.5) {
        std::cout << "[ weak ] " << q["id"].get<std::string>() << " " << lang << " " << q["q"].get<std::string>()
                  << ": recall@10 " << recall << ", RR " << rr << "\n";
      }
    }
  }
  for (const auto& [protocol, by_lang] : scores) {
    std::cout << "[ relevance, " << protocol << " ] lang     queries recall@10 (of best possible) MRR\n";
    for (const auto& [lang, s] : by_lang) {
      std::cout << "  " << std::left << std::setw(8) << lang << std::right << std::setw(4) << s.n << "      "
                << std::fixed << std::setprecision(3) << s.recall / s.n << " (" << s.capped / s.n << ")       "
                << s.rr / s.n << "\n";
    }
  }
  const Score& all = scores["scoped"]["all"];
  EXPECT_GE(all.recall / all.n, kMinRecallAt10);
  EXPECT_GE(all.rr / all.n, kMinMrr);
}

}  // namespace
}  // namespace aisafe
