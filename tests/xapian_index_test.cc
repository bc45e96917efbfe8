// The search index through node::Node and search::Index (docs/search.md):
//
//   - visibility as a property: random records of every marking, of this
//     node and of another origin, random principals, queries and filters;
//     every answer (hits over all pages, total, facets) equals a brute-force
//     model that knows nothing of the index, and equals the answer of a
//     second node that holds only what the asker may see;
//   - Node::Reindex gives exactly what incremental indexing gave;
//   - repair: records stored behind the index's back, a removed, older,
//     foreign or corrupt index are all brought back to the store's truth;
//   - malformed queries are refused, naming the parameter, and change
//     nothing;
//   - every filter, pagination and browsing (newest first).
//
// The records' words come from a small ASCII vocabulary so the model can
// match them exactly; StemsAreDistinct checks the premise that no stemmer
// maps two of its words together.
#include "search/xapian_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth.h"
#include "nlohmann/json.hpp"
#include "node/node.h"
#include "node/submitter.h"
#include "records/record.h"
#include "search/index.h"
#include "search/params.h"
#include "store/sqlite_store.h"
#include "tests/test_util.h"
#include "text/analyzer.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe {
namespace {

using Json = nlohmann::json;
using Facets = std::map<std::string, std::map<std::string, uint64_t>>;

constexpr char kNodeName[] = "th-etda";
constexpr char kForeign[] = "sg-aisi";

// Words of no language that no stemmer confuses (checked below), and that
// no enum value of a body contains.
constexpr std::string_view kVocabulary[] = {"alpha", "bravo",  "charlie", "delta",  "echo",  "foxtrot",
                                            "golf",  "hotel",  "juliett", "kilo",   "lima",  "oscar",
                                            "papa",  "quebec", "romeo",   "sierra", "tango", "zulu"};
constexpr std::string_view kTlps[] = {"clear", "green", "amber", "amber+strict", "red"};
// "zh" and "zh-Hans" both, so the primary-subtag filter has work to do.
constexpr std::string_view kLangs[] = {"en", "en-GB", "th", "vi", "id", "ms", "fil", "zh", "zh-Hans", "km"};
constexpr std::string_view kCountries[] = {"TH", "VN", "ID", "MY", "SG", "PH", "KH", "LA"};
constexpr std::string_view kHarms[] = {
    "discrimination-toxicity",     "privacy-security", "misinformation", "malicious-use", "human-computer-interaction",
    "socioeconomic-environmental", "ai-system-safety"};
constexpr std::string_view kDomains[] = {"information", "financial", "cyber", "health", "public-services"};
constexpr std::string_view kSeverities[] = {"low", "moderate", "high", "critical"};
constexpr std::string_view kKinds[] = {"safeguard", "best-practice", "lesson-learned", "policy"};
constexpr std::string_view kPrinciples[] = {"transparency-explainability", "fairness-equity", "security-safety",
                                            "human-centricity"};
constexpr std::string_view kAudience[] = {"my-mcmc", "vn-nca", "sg-aisi", "kh-cert"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The words of an ASCII text, as the index's ASCII path finds them in the
// texts generated here (letters and digits, split at anything else).
void AddTokens(std::string_view text, std::set<std::string>* out) {
  std::string cur;
  for (char c : text) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      cur += c;
    } else if (!cur.empty()) {
      out->insert(Lower(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out->insert(Lower(cur));
}

void AddJsonTokens(const Json& value, std::set<std::string>* out) {
  if (value.is_string()) {
    AddTokens(value.get<std::string>(), out);
  } else if (value.is_array() || value.is_object()) {
    for (const auto& v : value) AddJsonTokens(v, out);
  }
}

// A generated record and what the model needs to know about it.
struct TestRecord {
  records::Record record;
  std::string text;  // As submitted (complete: origin, created, nonce).
  std::string hex;
  std::string tlp, lang;
  std::vector<std::string> countries, harms;
  int64_t created_us = 0;
  std::vector<std::vector<std::string>> fields;  // Title, summary, description, as words.
  std::set<std::string> tokens;                  // Every word of every indexed string.

  bool Has(const std::string& word) const { return tokens.count(word) > 0; }
  bool HasPrefix(const std::string& prefix) const {
    auto it = tokens.lower_bound(prefix);
    return it != tokens.end() && it->compare(0, prefix.size(), prefix) == 0;
  }
  bool HasPhrase(const std::string& a, const std::string& b) const {
    for (const auto& f : fields) {
      for (size_t i = 0; i + 1 < f.size(); ++i) {
        if (f[i] == a && f[i + 1] == b) return true;
      }
    }
    return false;
  }
  store::NewRecord New() const {
    return store::NewRecord{.id = record.id,
                            .canonical = record.canonical,
                            .type = record.type,
                            .origin = record.origin,
                            .tlp = records::TlpName(record.tlp),
                            .created = record.created,
                            .created_us = created_us,
                            .submission = std::nullopt};
  }
};

struct Query {
  std::string q;
  bool all_words = false;
  std::function<bool(const TestRecord&)> match;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  size_t Uniform(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T, size_t N>
  std::string Pick(const T (&values)[N]) {
    return std::string(values[Uniform(N)]);
  }
  std::string Word() { return Pick(kVocabulary); }
  template <typename T, size_t N>
  std::vector<std::string> Subset(const T (&values)[N], size_t min, size_t max) {
    std::vector<std::string> all(std::begin(values), std::end(values));
    std::shuffle(all.begin(), all.end(), rng_);
    all.resize(min + Uniform(max - min + 1));
    return all;
  }

  // A complete, valid record of `origin`; tlp and lang random unless
  // given. `extra_title` is added to the title (a unique marker).
  TestRecord Make(std::string_view origin, std::string tlp = "", const std::string& extra_title = "",
                  const std::string& lang = "") {
    TestRecord r;
    Json doc;
    bool incident = Uniform(3) != 0;
    doc["type"] = incident ? "incident" : "practice";
    if (tlp.empty()) tlp = Pick(kTlps);
    doc["tlp"] = tlp;
    if (tlp == "amber" || tlp == "amber+strict") doc["audience"] = Subset(kAudience, 1, 3);
    r.lang = lang.empty() ? Pick(kLangs) : lang;
    doc["lang"] = r.lang;
    r.countries = Subset(kCountries, 0, 3);
    if (!r.countries.empty()) doc["countries"] = r.countries;
    auto words = [&](size_t min, size_t max) {
      std::vector<std::string> w;
      size_t n = min + Uniform(max - min + 1);
      for (size_t i = 0; i < n; ++i) w.push_back(Word());
      return w;
    };
    std::vector<std::string> title = words(1, 4);
    if (!extra_title.empty()) title.push_back(extra_title);
    std::vector<std::string> summary = words(0, 5);
    std::vector<std::string> description = words(1, 6);
    doc["title"] = util::StrJoin(title, " ");
    if (!summary.empty()) doc["summary"] = util::StrJoin(summary, " ");
    if (incident) {
      r.harms = Subset(kHarms, 1, 2);
      doc["body"] = {{"occurred", "2025-06-01"},
                     {"domain", Pick(kDomains)},
                     {"harm_categories", r.harms},
                     {"severity", Pick(kSeverities)},
                     {"description", util::StrJoin(description, " ")}};
    } else {
      doc["body"] = {{"kind", Pick(kKinds)},
                     {"principles", Subset(kPrinciples, 1, 2)},
                     {"description", util::StrJoin(description, " ")}};
    }
    doc["origin"] = std::string(origin);
    // Two years from 2025-01-01, to the millisecond (as the format keeps it).
    int64_t ms = int64_t{1735689600000} + static_cast<int64_t>(Uniform(size_t{2} * 365 * 86400 * 1000));
    doc["created"] = util::FormatTimestamp(absl::FromUnixMillis(ms));
    r.created_us = ms * 1000;
    std::string nonce;
    for (int i = 0; i < 32; ++i) nonce += "0123456789abcdef"[Uniform(16)];
    doc["nonce"] = nonce;
    auto made = records::MakeRecord(doc);
    if (!made.ok()) {
      ADD_FAILURE() << made.status() << "\n" << doc.dump();
      return r;
    }
    r.record = std::move(*made);
    r.text = doc.dump();
    r.hex = util::ToHex(r.record.id);
    r.tlp = tlp;
    r.fields = {title, summary, description};
    AddTokens(doc["title"].get<std::string>(), &r.tokens);
    if (doc.contains("summary")) AddTokens(doc["summary"].get<std::string>(), &r.tokens);
    AddJsonTokens(doc["body"], &r.tokens);
    return r;
  }

  Query MakeQuery() {
    std::string a = Word(), b = Word(), c = Word();
    while (b == a) b = Word();
    while (c == a || c == b) c = Word();
    switch (Uniform(11)) {
      case 0:
        return {"", false, [](const TestRecord&) { return true; }};
      case 1:
        return {a, false, [a](const TestRecord& r) { return r.Has(a); }};
      case 2:
        return {util::StrCat(a, " ", b), false, [a, b](const TestRecord& r) { return r.Has(a) || r.Has(b); }};
      case 3:
        return {util::StrCat(a, " ", b), true, [a, b](const TestRecord& r) { return r.Has(a) && r.Has(b); }};
      case 4:
        return {util::StrCat(a, " -", b), Chance(0.5), [a, b](const TestRecord& r) { return r.Has(a) && !r.Has(b); }};
      case 5:
        return {util::StrCat("\"", a, " ", b, "\""), false, [a, b](const TestRecord& r) { return r.HasPhrase(a, b); }};
      case 6: {
        std::string p = a.substr(0, 2 + Uniform(2));
        return {util::StrCat(p, "*"), false, [p](const TestRecord& r) { return r.HasPrefix(p); }};
      }
      case 7:
        return {util::StrCat(a, " AND ", b), false, [a, b](const TestRecord& r) { return r.Has(a) && r.Has(b); }};
      case 8:
        return {util::StrCat("(", a, " OR ", b, ") NOT ", c), false,
                [a, b, c](const TestRecord& r) { return (r.Has(a) || r.Has(b)) && !r.Has(c); }};
      case 9:
        return {util::StrCat("NOT ", a), false, [a](const TestRecord& r) { return !r.Has(a); }};
      default:
        return {util::StrCat(a, " ", b, " ", c), true,
                [a, b, c](const TestRecord& r) { return r.Has(a) && r.Has(b) && r.Has(c); }};
    }
  }

  search::Filters MakeFilters() {
    search::Filters f;
    if (Chance(0.2)) f.types = {Chance(0.5) ? "incident" : "practice"};
    if (Chance(0.2)) f.tlps = Subset(kTlps, 1, 2);
    if (Chance(0.15)) f.origins = {Chance(0.5) ? kNodeName : kForeign};
    if (Chance(0.2)) f.countries = Subset(kCountries, 1, 2);
    if (Chance(0.2)) f.langs = {Chance(0.3) ? "zh" : Pick(kLangs)};
    if (Chance(0.15)) f.harms = Subset(kHarms, 1, 2);
    if (Chance(0.2)) {
      int64_t lo = int64_t{1735689600000000} + static_cast<int64_t>(Uniform(365)) * 86400 * 1000000;
      f.from_us = lo;
      if (Chance(0.7)) f.to_us = lo + static_cast<int64_t>(Uniform(400)) * 86400 * 1000000;
    }
    return f;
  }

 private:
  std::mt19937 rng_;
};

bool AnyIn(const std::vector<std::string>& values, const std::vector<std::string>& wanted) {
  for (const auto& v : values) {
    if (std::find(wanted.begin(), wanted.end(), v) != wanted.end()) return true;
  }
  return false;
}

// The filters' meaning (search/index.h), written from the contract.
bool PassesFilters(const TestRecord& r, const search::Filters& f) {
  auto in = [](const std::string& v, const std::vector<std::string>& set) {
    return set.empty() || std::find(set.begin(), set.end(), v) != set.end();
  };
  if (!in(r.record.type, f.types) || !in(r.tlp, f.tlps) || !in(r.record.origin, f.origins)) return false;
  if (!f.countries.empty() && !AnyIn(r.countries, f.countries)) return false;
  if (!f.harms.empty() && !AnyIn(r.harms, f.harms)) return false;
  if (!f.langs.empty()) {
    bool any = false;
    for (const auto& l : f.langs) {
      any |= Lower(l) == Lower(r.lang) || Lower(l) == text::PrimaryLanguage(r.lang);
    }
    if (!any) return false;
  }
  if (f.from_us && r.created_us < *f.from_us) return false;
  if (f.to_us && r.created_us > *f.to_us) return false;
  return true;
}

bool MaySee(const auth::Caller& caller, const TestRecord& r) {
  return auth::MaySee(caller, r.record.tlp, r.record.origin, kNodeName);
}

// Facets without the empty maps a facet with no value leaves behind.
Facets Normalized(Facets f) {
  for (auto it = f.begin(); it != f.end();) {
    it = it->second.empty() ? f.erase(it) : std::next(it);
  }
  return f;
}

struct Outcome {
  std::vector<std::string> ids;  // In order, over every page.
  uint64_t total = 0;
  Facets facets;

  std::set<std::string> IdSet() const { return {ids.begin(), ids.end()}; }
};

// What the model says `caller` gets for `query` and `filters`.
Outcome Expected(const std::vector<TestRecord>& records, const auth::Caller& caller, const Query& query,
                 const search::Filters& filters) {
  Outcome out;
  for (const TestRecord& r : records) {
    if (!MaySee(caller, r) || !PassesFilters(r, filters) || !query.match(r)) continue;
    out.ids.push_back(r.hex);
    ++out.total;
    ++out.facets["type"][r.record.type];
    ++out.facets["tlp"][r.tlp];
    ++out.facets["origin"][r.record.origin];
    ++out.facets["lang"][r.lang];
    for (const auto& c : r.countries) ++out.facets["country"][c];
    for (const auto& h : r.harms) ++out.facets["harm"][h];
  }
  return out;
}

// Every page of a search, `page` hits at a time. Checks that the pages
// agree on the total and the facets.
absl::StatusOr<Outcome> SearchAll(const node::Node& node, search::SearchRequest req, size_t page = search::kMaxLimit) {
  Outcome out;
  req.offset = 0;
  req.limit = page;
  for (int i = 0;; ++i) {
    auto r = node.Search(req);
    if (!r.ok()) return r.status();
    if (!r->total_exact) return absl::InternalError("total not exact");
    if (i == 0) {
      out.total = r->total;
      out.facets = Normalized(r->facets);
    } else if (r->total != out.total || Normalized(r->facets) != out.facets) {
      return absl::InternalError(util::StrCat("page ", i, " disagrees with the first on total or facets"));
    }
    for (const search::Hit& h : r->hits) out.ids.push_back(util::ToHex(h.id));
    if (r->hits.size() < req.limit || req.offset + req.limit >= out.total) break;
    req.offset += req.limit;
    if (i > 1000) return absl::InternalError("too many pages");
  }
  return out;
}

search::SearchRequest Request(const auth::Caller& caller, const Query& q, const search::Filters& f) {
  search::SearchRequest req;
  req.q = q.q;
  req.match_all_words = q.all_words;
  req.filters = f;
  req.visible = auth::VisibleTo(caller);
  req.node_name = kNodeName;
  req.facets = true;
  return req;
}

std::string Describe(const Query& q, const search::Filters& f) {
  std::string s = util::StrCat("q=[", q.q, "] all=", q.all_words ? "1" : "0");
  auto list = [&](const char* name, const std::vector<std::string>& v) {
    if (!v.empty()) util::StrAppend(&s, " ", name, "=", util::StrJoin(v, ","));
  };
  list("type", f.types);
  list("tlp", f.tlps);
  list("origin", f.origins);
  list("country", f.countries);
  list("lang", f.langs);
  list("harm", f.harms);
  if (f.from_us) util::StrAppend(&s, " from=", *f.from_us);
  if (f.to_us) util::StrAppend(&s, " to=", *f.to_us);
  return s;
}

std::vector<auth::Caller> Callers() {
  return {auth::Public(), auth::Caller{"c1", auth::Role::kContributor}, auth::Caller{"a1", auth::Role::kAnalyst},
          auth::Caller{"root", auth::Role::kAdmin}};
}

// ------------------------------------------------------------- fixtures

class IndexTest : public ::testing::Test {
 protected:
  std::string Dir(const std::string& name = "node") const { return tmp_.Sub(name); }

  std::unique_ptr<node::Node> InitNode(const std::string& name = "node") {
    auto n = node::Node::Init(Dir(name), kNodeName, "TH");
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? std::move(*n) : nullptr;
  }
  std::unique_ptr<node::Node> OpenNode(const std::string& name = "node") {
    auto n = node::Node::Open(Dir(name));
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? std::move(*n) : nullptr;
  }

  // Submits records of this node through the submission path, in batches.
  void Submit(node::Node& n, const std::vector<TestRecord>& recs, size_t batch = 50) {
    node::Submitter submitter({.origin = kNodeName}, &n.store(), &clock_);
    for (size_t begin = 0; begin < recs.size(); begin += batch) {
      std::vector<node::InputDoc> docs;
      for (size_t i = begin; i < std::min(recs.size(), begin + batch); ++i) docs.push_back({recs[i].text, i + 1});
      auto r = submitter.Submit(docs, "test");
      ASSERT_TRUE(r.ok()) << r.status();
      for (size_t i = 0; i < r->size(); ++i) {
        ASSERT_EQ(util::ToHex((*r)[i].id), recs[begin + i].hex);
        ASSERT_TRUE((*r)[i].created);
      }
    }
  }
  // Stores records as the store receives them (any origin), in one batch.
  static void Put(store::Store& s, const std::vector<TestRecord>& recs) {
    if (recs.empty()) return;
    std::vector<store::NewRecord> batch;
    for (const TestRecord& r : recs) batch.push_back(r.New());
    auto out = s.PutBatch(batch);
    ASSERT_TRUE(out.ok()) << out.status();
  }
  // Generates `n` records of this node (random markings).
  std::vector<TestRecord> Own(Generator& gen, size_t n) {
    std::vector<TestRecord> v;
    for (size_t i = 0; i < n; ++i) v.push_back(gen.Make(kNodeName));
    return v;
  }

  // Every record found by its marker word and by browsing; the index holds
  // exactly the store's records.
  static void ExpectHoldsExactly(const node::Node& n, const std::vector<TestRecord>& recs) {
    search::SearchRequest req = Request(auth::Caller{"root", auth::Role::kAdmin}, Query{"", false, nullptr}, {});
    auto all = SearchAll(n, req);
    ASSERT_TRUE(all.ok()) << all.status();
    std::set<std::string> want;
    for (const TestRecord& r : recs) {
      if (r.tlp != "red" || r.record.origin == kNodeName) want.insert(r.hex);
    }
    EXPECT_EQ(all->IdSet(), want);
    EXPECT_EQ(all->ids.size(), all->IdSet().size()) << "a record was returned twice";
    auto count = n.store().Count(std::nullopt);
    auto docs = n.SearchIndex().DocCount();
    ASSERT_TRUE(count.ok() && docs.ok());
    EXPECT_EQ(*docs, *count);
    auto mark = n.SearchIndex().Mark();
    auto size = n.store().LogSize();
    ASSERT_TRUE(mark.ok() && size.ok());
    EXPECT_EQ(mark->size, *size);
  }

  testing::TempDir tmp_;
  util::FakeClock clock_{absl::FromUnixSeconds(1795427122)};
};

// The model's premise: a vocabulary word and another word of a record never
// share a stem, whatever the record's language and the asker's.
TEST(SearchPremise, StemsAreDistinct) {
  Generator gen(7);
  std::set<std::string> tokens;
  for (int i = 0; i < 300; ++i) {
    TestRecord r = gen.Make(kNodeName);
    tokens.insert(r.tokens.begin(), r.tokens.end());
  }
  std::vector<std::string> langs(std::begin(kLangs), std::end(kLangs));
  langs.push_back("");
  for (const auto& doc_lang : langs) {
    text::Analyzer doc_analyzer(doc_lang);
    if (!doc_analyzer.HasStemmer()) continue;
    for (const auto& query_lang : langs) {
      text::Analyzer query_analyzer(query_lang);
      if (!query_analyzer.HasStemmer()) continue;
      for (std::string_view w : kVocabulary) {
        std::string qs = query_analyzer.Stem(w);
        for (const auto& t : tokens) {
          if (t == w) continue;
          EXPECT_NE(doc_analyzer.Stem(t), qs) << t << " (" << doc_lang << ") and " << w << " (" << query_lang << ")";
        }
      }
    }
  }
}

// ----------------------------------------------------------- visibility

// Property: for random principals, queries and filters, the answer is
// exactly the model's over the records the principal may see, and exactly
// what a node holding only those records answers. Hidden records leave no
// trace in hits, totals or facets.
TEST_F(IndexTest, VisibilityIsPartOfEveryAnswer) {
  Generator gen(20260601);
  auto n = InitNode();
  ASSERT_NE(n, nullptr);
  std::vector<TestRecord> own = Own(gen, 240);
  std::vector<TestRecord> foreign;
  for (int i = 0; i < 80; ++i) foreign.push_back(gen.Make(kForeign, i % 2 == 0 ? "red" : ""));
  Submit(*n, own, 40);
  // Records of another origin arrive through the store (as a pulled page's
  // would), two batches.
  Put(n->store(), std::vector<TestRecord>(foreign.begin(), foreign.begin() + 40));
  Put(n->store(), std::vector<TestRecord>(foreign.begin() + 40, foreign.end()));
  std::vector<TestRecord> all = own;
  all.insert(all.end(), foreign.begin(), foreign.end());
  std::map<std::string, const TestRecord*> by_id;
  for (const TestRecord& r : all) by_id[r.hex] = &r;
  ASSERT_EQ(by_id.size(), 320u);

  size_t non_empty = 0;
  for (const auth::Caller& caller : Callers()) {
    SCOPED_TRACE(std::string(auth::RoleName(caller.role)));
    // A node that holds only what `caller` may see.
    std::vector<TestRecord> visible;
    for (const TestRecord& r : all) {
      if (MaySee(caller, r)) visible.push_back(r);
    }
    auto twin = InitNode(util::StrCat("twin-", auth::RoleName(caller.role)));
    ASSERT_NE(twin, nullptr);
    Put(twin->store(), visible);
    const auth::Caller admin{"root", auth::Role::kAdmin};

    for (int i = 0; i < 60; ++i) {
      Query q = gen.MakeQuery();
      search::Filters f = gen.MakeFilters();
      SCOPED_TRACE(Describe(q, f));
      search::SearchRequest req = Request(caller, q, f);
      if (gen.Chance(0.3)) req.query_lang = gen.Pick(kLangs);
      auto got = SearchAll(*n, req);
      ASSERT_TRUE(got.ok()) << got.status();
      for (const std::string& id : got->ids) {
        auto it = by_id.find(id);
        ASSERT_NE(it, by_id.end()) << "a hit that was never stored: " << id;
        EXPECT_TRUE(MaySee(caller, *it->second))
            << "shown a record the asker may not see: " << it->second->tlp << " of " << it->second->record.origin;
      }
      Outcome want = Expected(all, caller, q, f);
      EXPECT_EQ(got->IdSet(), want.IdSet());
      EXPECT_EQ(got->ids.size(), got->IdSet().size()) << "a record on two pages";
      EXPECT_EQ(got->total, want.total);
      EXPECT_EQ(got->facets, Normalized(want.facets));
      non_empty += want.total > 0;

      search::SearchRequest twin_req = req;
      twin_req.visible = auth::VisibleTo(admin);
      auto other = SearchAll(*twin, twin_req);
      ASSERT_TRUE(other.ok()) << other.status();
      EXPECT_EQ(got->IdSet(), other->IdSet());
      EXPECT_EQ(got->total, other->total);
      EXPECT_EQ(got->facets, other->facets);
    }
  }
  EXPECT_GT(non_empty, 100u) << "too few queries matched anything to test much";
}

// Words found only in hidden records: no hit, a zero total, no facet.
TEST_F(IndexTest, WordsOfHiddenRecordsCountForNothing) {
  Generator gen(11);
  auto n = InitNode();
  ASSERT_NE(n, nullptr);
  std::vector<TestRecord> own = {gen.Make(kNodeName, "amber", "amberonly"), gen.Make(kNodeName, "red", "redown"),
                                 gen.Make(kNodeName, "green", "greenonly"),
                                 gen.Make(kNodeName, "amber+strict", "amberonly")};
  std::vector<TestRecord> foreign = {gen.Make(kForeign, "red", "redforeign"), gen.Make(kForeign, "red", "redforeign"),
                                     gen.Make(kForeign, "amber", "amberonly")};
  Submit(*n, own);
  Put(n->store(), foreign);
  struct Case {
    const char* word;
    std::map<auth::Role, uint64_t> totals;
  };
  const Case cases[] = {
      {"amberonly",
       {{auth::Role::kPublic, 0}, {auth::Role::kContributor, 0}, {auth::Role::kAnalyst, 3}, {auth::Role::kAdmin, 3}}},
      {"redown",
       {{auth::Role::kPublic, 0}, {auth::Role::kContributor, 0}, {auth::Role::kAnalyst, 1}, {auth::Role::kAdmin, 1}}},
      {"redforeign",
       {{auth::Role::kPublic, 0}, {auth::Role::kContributor, 0}, {auth::Role::kAnalyst, 0}, {auth::Role::kAdmin, 0}}},
      {"greenonly",
       {{auth::Role::kPublic, 0}, {auth::Role::kContributor, 1}, {auth::Role::kAnalyst, 1}, {auth::Role::kAdmin, 1}}},
  };
  for (const Case& c : cases) {
    for (const auth::Caller& caller : Callers()) {
      SCOPED_TRACE(util::StrCat(c.word, " as ", auth::RoleName(caller.role)));
      for (bool prefix : {false, true}) {
        search::SearchRequest req =
            Request(caller, Query{prefix ? std::string(c.word).substr(0, 5) + "*" : c.word, false, nullptr}, {});
        auto r = n->Search(req);
        ASSERT_TRUE(r.ok()) << r.status();
        uint64_t want = c.totals.at(caller.role);
        EXPECT_EQ(r->hits.size(), want);
        EXPECT_EQ(r->total, want);
        if (want == 0) {
          EXPECT_TRUE(Normalized(r->facets).empty());
        } else {
          EXPECT_EQ(Normalized(r->facets)["tlp"].size(), std::string(c.word) == "amberonly" ? 2u : 1u);
        }
      }
    }
  }
}

// -------------------------------------------------------------- reindex

TEST_F(IndexTest, ReindexGivesWhatIncrementalIndexingGave) {
  Generator gen(4242);
  auto n = InitNode();
  ASSERT_NE(n, nullptr);
  std::vector<TestRecord> own = Own(gen, 600);
  Submit(*n, own, 50);  // Twelve commits, each indexed as it lands.
  std::vector<TestRecord> foreign;
  for (int i = 0; i < 60; ++i) foreign.push_back(gen.Make(kForeign));
  Put(n->store(), foreign);
  std::vector<TestRecord> all = own;
  all.insert(all.end(), foreign.begin(), foreign.end());

  std::vector<search::SearchRequest> requests;
  for (int i = 0; i < 40; ++i) {
    Query q = gen.MakeQuery();
    search::SearchRequest req =
        Request(Callers()[gen.Uniform(4)], q, gen.Chance(0.5) ? search::Filters{} : gen.MakeFilters());
    if (gen.Chance(0.3)) req.query_lang = gen.Pick(kLangs);
    requests.push_back(req);
  }
  auto answer_all = [&](const node::Node& node) {
    std::vector<Outcome> out;
    for (const auto& req : requests) {
      auto r = SearchAll(node, req);
      EXPECT_TRUE(r.ok()) << r.status();
      out.push_back(r.ok() ? *r : Outcome{});
    }
    return out;
  };
  std::vector<Outcome> before = answer_all(*n);
  ExpectHoldsExactly(*n, all);
  auto mark_before = n->SearchIndex().Mark();
  ASSERT_TRUE(mark_before.ok());

  uint64_t progressed = 0;
  auto indexed = n->Reindex([&](uint64_t done, uint64_t total) {
    EXPECT_LE(done, total);
    progressed = done;
  });
  ASSERT_TRUE(indexed.ok()) << indexed.status();
  EXPECT_EQ(*indexed, all.size());
  EXPECT_EQ(progressed, all.size());
  std::vector<Outcome> after = answer_all(*n);
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    SCOPED_TRACE(requests[i].q);
    EXPECT_EQ(before[i].ids, after[i].ids) << "same hits in the same order";
    EXPECT_EQ(before[i].total, after[i].total);
    EXPECT_EQ(before[i].facets, after[i].facets);
  }
  ExpectHoldsExactly(*n, all);
  auto mark_after = n->SearchIndex().Mark();
  ASSERT_TRUE(mark_after.ok());
  EXPECT_EQ(mark_after->size, mark_before->size);
  EXPECT_EQ(mark_after->last_id, mark_before->last_id);
  EXPECT_FALSE(std::filesystem::exists(Dir() + "/search.new"));
  EXPECT_FALSE(std::filesystem::exists(Dir() + "/search.old"));

  // The rebuilt index keeps following the store.
  std::vector<TestRecord> more = {gen.Make(kNodeName, "clear", "afterreindex")};
  Submit(*n, more);
  all.insert(all.end(), more.begin(), more.end());
  auto found = n->Search(Request(auth::Public(), Query{"afterreindex", false, nullptr}, {}));
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->hits.size(), 1u);
  EXPECT_EQ(util::ToHex(found->hits[0].id), more[0].hex);
  ExpectHoldsExactly(*n, all);
  // And so does the index on disk, opened again.
  n.reset();
  auto reopened = OpenNode();
  ASSERT_NE(reopened, nullptr);
  ExpectHoldsExactly(*reopened, all);
  auto hit = reopened->Search(Request(auth::Public(), Query{"afterreindex", false, nullptr}, {}));
  ASSERT_TRUE(hit.ok());
  EXPECT_EQ(hit->total, 1u);
}

// --------------------------------------------------------------- repair

TEST_F(IndexTest, RecordsStoredBehindTheIndexsBackAreFound) {
  Generator gen(99);
  std::vector<TestRecord> first = Own(gen, 100);
  std::vector<TestRecord> behind;
  for (int i = 0; i < 60; ++i) behind.push_back(gen.Make(kNodeName, "", util::StrCat("behind", i)));
  std::vector<TestRecord> live;
  for (int i = 0; i < 20; ++i) live.push_back(gen.Make(kNodeName, "", util::StrCat("live", i)));
  {
    auto n = InitNode();
    ASSERT_NE(n, nullptr);
    Submit(*n, first);
  }
  // Another writer (a process that crashed after its store commit, before
  // indexing) stores records the index never heard of.
  {
    auto s = store::OpenSqliteStore(Dir() + "/store.sqlite");
    ASSERT_TRUE(s.ok()) << s.status();
    Put(**s, behind);
  }
  {
    auto index = search::OpenXapianIndex(Dir() + "/search");
    ASSERT_TRUE(index.ok()) << index.status();
    auto docs = (*index)->DocCount();
    ASSERT_TRUE(docs.ok());
    EXPECT_EQ(*docs, 100u) << "the setup must leave the index behind";
  }
  auto n = OpenNode();
  ASSERT_NE(n, nullptr);
  std::vector<TestRecord> all = first;
  all.insert(all.end(), behind.begin(), behind.end());
  ExpectHoldsExactly(*n, all);
  for (const TestRecord& r : behind) {
    auto hit =
        n->Search(Request(auth::Caller{"root", auth::Role::kAdmin}, Query{r.fields[0].back(), false, nullptr}, {}));
    ASSERT_TRUE(hit.ok());
    ASSERT_EQ(hit->total, 1u) << r.fields[0].back();
    EXPECT_EQ(util::ToHex(hit->hits[0].id), r.hex);
  }
  // While this node is open, another writer stores more: the next search
  // finds them without a reopen.
  {
    auto s = store::OpenSqliteStore(Dir() + "/store.sqlite");
    ASSERT_TRUE(s.ok()) << s.status();
    Put(**s, live);
  }
  all.insert(all.end(), live.begin(), live.end());
  auto hit = n->Search(Request(auth::Caller{"root", auth::Role::kAdmin}, Query{"live7", false, nullptr}, {}));
  ASSERT_TRUE(hit.ok()) << hit.status();
  EXPECT_EQ(hit->total, 1u);
  ExpectHoldsExactly(*n, all);
}

TEST_F(IndexTest, RemovedIndexIsRebuiltOnOpen) {
  Generator gen(5);
  std::vector<TestRecord> recs = Own(gen, 150);
  {
    auto n = InitNode();
    ASSERT_NE(n, nullptr);
    Submit(*n, recs);
  }
  std::filesystem::remove_all(Dir() + "/search");
  auto n = OpenNode();
  ASSERT_NE(n, nullptr);
  ExpectHoldsExactly(*n, recs);
}

TEST_F(IndexTest, OlderCopyOfTheIndexIsCaughtUp) {
  Generator gen(6);
  std::vector<TestRecord> first = Own(gen, 80), second = Own(gen, 120);
  {
    auto n = InitNode();
    ASSERT_NE(n, nullptr);
    Submit(*n, first);
  }
  std::filesystem::copy(Dir() + "/search", Dir() + "/search.backup", std::filesystem::copy_options::recursive);
  {
    auto n = OpenNode();
    ASSERT_NE(n, nullptr);
    Submit(*n, second);
  }
  // A restored backup of the index: older than the store.
  std::filesystem::remove_all(Dir() + "/search");
  std::filesystem::rename(Dir() + "/search.backup", Dir() + "/search");
  auto n = OpenNode();
  ASSERT_NE(n, nullptr);
  std::vector<TestRecord> all = first;
  all.insert(all.end(), second.begin(), second.end());
  ExpectHoldsExactly(*n, all);
}

// An index copied from another node's directory claims records this store
// lacks: whether it holds more, as many or fewer entries, it is detected
// and rebuilt, and never answers with a record the store lacks; neither
// the node that rebuilt it nor one opened after.
TEST_F(IndexTest, IndexOfAnotherNodeIsDiscarded) {
  for (size_t other_size : {30u, 50u, 80u}) {
    SCOPED_TRACE(util::StrCat("the other node holds ", other_size));
    Generator gen(static_cast<uint32_t>(1000 + other_size));
    std::string mine = util::StrCat("mine", other_size), theirs = util::StrCat("theirs", other_size);
    std::vector<TestRecord> my_recs, their_recs;
    for (int i = 0; i < 50; ++i) my_recs.push_back(gen.Make(kNodeName, "clear", "minemarker"));
    for (size_t i = 0; i < other_size; ++i) their_recs.push_back(gen.Make(kNodeName, "clear", "theirmarker"));
    {
      auto a = InitNode(mine);
      auto b = InitNode(theirs);
      ASSERT_TRUE(a && b);
      Submit(*a, my_recs);
      Submit(*b, their_recs);
    }
    std::filesystem::remove_all(Dir(mine) + "/search");
    std::filesystem::copy(Dir(theirs) + "/search", Dir(mine) + "/search", std::filesystem::copy_options::recursive);
    for (const char* which : {"the node that found the foreign index", "the node opened after"}) {
      SCOPED_TRACE(which);
      auto n = OpenNode(mine);
      ASSERT_NE(n, nullptr);
      auto theirs_found = n->Search(Request(auth::Public(), Query{"theirmarker", false, nullptr}, {}));
      EXPECT_TRUE(theirs_found.ok()) << theirs_found.status();
      if (theirs_found.ok()) {
        EXPECT_EQ(theirs_found->total, 0u) << "answered with records this node does not hold";
      }
      auto mine_found = n->Search(Request(auth::Public(), Query{"minemarker", false, nullptr}, {}));
      EXPECT_TRUE(mine_found.ok()) << mine_found.status();
      if (mine_found.ok()) {
        EXPECT_EQ(mine_found->total, 50u);
      }
      ExpectHoldsExactly(*n, my_recs);
    }
  }
}

// A corrupt index (a file of it truncated or overwritten) is rebuilt on
// open: the node opens, answers completely and keeps indexing new records.
// Each case starts from a sound copy of the index.
TEST_F(IndexTest, CorruptIndexIsRebuiltRatherThanTrusted) {
  Generator gen(77);
  std::vector<TestRecord> recs;
  for (int i = 0; i < 120; ++i) recs.push_back(gen.Make(kNodeName, "", util::StrCat("corrupt", i)));
  {
    auto n = InitNode();
    ASSERT_NE(n, nullptr);
    Submit(*n, recs, 30);
  }
  const std::string index_dir = Dir() + "/search", sound = Dir() + "/search.sound";
  std::filesystem::copy(index_dir, sound, std::filesystem::copy_options::recursive);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(index_dir)) {
    std::string name = e.path().filename().string();
    if (name.size() > 6 && name.substr(name.size() - 6) == ".glass") files.push_back(name);
  }
  files.push_back("iamglass");
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 4u);
  int round = 0;
  std::vector<std::string> failed;
  for (const std::string& file : files) {
    for (const char* how : {"empty", "half", "garbage"}) {
      std::string what = util::StrCat(file, " ", how);
      SCOPED_TRACE(what);
      std::filesystem::remove_all(index_dir);
      std::filesystem::copy(sound, index_dir, std::filesystem::copy_options::recursive);
      std::string path = index_dir + "/" + file;
      auto size = std::filesystem::file_size(path);
      if (std::string(how) == "empty") {
        std::filesystem::resize_file(path, 0);
      } else if (std::string(how) == "half") {
        std::filesystem::resize_file(path, size / 2);
      } else {
        std::string junk(size, '\0');
        for (char& c : junk) c = static_cast<char>(gen.Uniform(256));
        std::ofstream(path, std::ios::binary | std::ios::trunc) << junk;
      }
      auto n = node::Node::Open(Dir());
      if (!n.ok()) {
        ADD_FAILURE() << "a corrupt index stops the node from opening: " << n.status();
        failed.push_back(util::StrCat(what, ": open: ", n.status().ToString()));
        continue;
      }
      int failures = ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
      ExpectHoldsExactly(**n, recs);
      // Word, phrase and prefix queries read every table.
      for (int i = 0; i < 120; i += 17) {
        const TestRecord& r = recs[static_cast<size_t>(i)];
        const std::vector<std::string>& title = r.fields[0];
        for (const std::string& q : {title.back(), util::StrCat("\"", title[title.size() - 2], " ", title.back(), "\""),
                                     util::StrCat(title.back(), "*")}) {
          auto hit = (*n)->Search(Request(auth::Caller{"root", auth::Role::kAdmin}, Query{q, false, nullptr}, {}));
          EXPECT_TRUE(hit.ok()) << q << ": " << hit.status();
          if (!hit.ok()) continue;
          EXPECT_FALSE(hit->hits.empty()) << q;
          if (hit->hits.empty()) continue;
          EXPECT_EQ(util::ToHex(hit->hits[0].id), r.hex) << q;
          EXPECT_FALSE(hit->hits[0].title.empty());
        }
      }
      // New records are indexed.
      TestRecord fresh = gen.Make(kNodeName, "clear", util::StrCat("fresh", round++));
      Submit(**n, {fresh});
      recs.push_back(fresh);
      auto hit = (*n)->Search(Request(auth::Public(), Query{fresh.fields[0].back(), false, nullptr}, {}));
      EXPECT_TRUE(hit.ok()) << hit.status();
      if (hit.ok()) {
        EXPECT_EQ(hit->total, 1u);
      }
      ExpectHoldsExactly(**n, recs);
      if (::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() != failures) {
        failed.push_back(util::StrCat(what, ": opened, but answered wrongly"));
      }
    }
  }
  EXPECT_TRUE(failed.empty()) << util::StrJoin(failed, "\n");
}

// ---------------------------------------------------- malformed queries

TEST_F(IndexTest, MalformedQueriesAreRefusedAndChangeNothing) {
  Generator gen(3);
  auto n = InitNode();
  ASSERT_NE(n, nullptr);
  std::vector<TestRecord> recs = Own(gen, 60);
  Submit(*n, recs);
  const auth::Caller admin{"root", auth::Role::kAdmin};
  Query probe{"alpha bravo", false, nullptr};
  auto before = SearchAll(*n, Request(admin, probe, {}));
  ASSERT_TRUE(before.ok());
  auto mark_before = n->SearchIndex().Mark();
  ASSERT_TRUE(mark_before.ok());

  std::vector<std::string> many;
  for (int i = 0; i < 10000; ++i) many.push_back(std::string(kVocabulary[i % std::size(kVocabulary)]));
  std::string ten_thousand = util::StrJoin(many, " ");
  std::string hundred = util::StrJoin(std::vector<std::string>(many.begin(), many.begin() + 100), " ");
  const std::pair<std::string, std::string> bad[] = {
      {"\"alpha bravo", "quotation mark"},
      {"alpha \"bravo", "quotation mark"},
      {ten_thousand, "4096"},
      {hundred, "64"},
      {"alpha \xff\xfe bravo", "UTF-8"},
      {"\xc3\x28", "UTF-8"},
      {"!!! ... ???", "no words"},
      {"-- ,,, ;;", ""},
      {"(alpha", ""},
      {"alpha)", ""},
      {"alpha AND", ""},
      {"NOT", ""},
      {"\"\"", ""},
      {"*", ""},
  };
  for (const auto& [q, what] : bad) {
    SCOPED_TRACE(q.substr(0, 40));
    search::SearchRequest req = Request(admin, Query{q, false, nullptr}, {});
    auto r = n->Search(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    std::string msg(r.status().message());
    EXPECT_EQ(msg.rfind("q: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
    EXPECT_LT(msg.size(), 300u) << "a message that repeats the query";
  }
  // Window and page size, named as the parameters they are.
  for (auto [offset, limit, name] : {std::tuple<size_t, size_t, const char*>{0, 0, "limit: "},
                                     {0, search::kMaxLimit + 1, "limit: "},
                                     {search::kMaxWindow - 5, 10, "offset: "}}) {
    search::SearchRequest req = Request(admin, probe, {});
    req.offset = offset;
    req.limit = limit;
    auto r = n->Search(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(r.status().message()).rfind(name, 0), 0u) << r.status();
  }
  auto count = n->store().Count(std::nullopt);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 60u);
  auto mark_after = n->SearchIndex().Mark();
  ASSERT_TRUE(mark_after.ok());
  EXPECT_EQ(mark_after->size, mark_before->size);
  EXPECT_EQ(mark_after->last_id, mark_before->last_id);
  auto after = SearchAll(*n, Request(admin, probe, {}));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->ids, before->ids);
  EXPECT_EQ(after->facets, before->facets);
  ExpectHoldsExactly(*n, recs);
}

// -------------------------------------------------------------- filters

class FilterTest : public IndexTest {
 protected:
  void SetUp() override {
    Generator gen(31337);
    n_ = InitNode();
    ASSERT_NE(n_, nullptr);
    own_ = Own(gen, 200);
    // Both forms of Chinese, for sure.
    own_.push_back(gen.Make(kNodeName, "clear", "", "zh"));
    own_.push_back(gen.Make(kNodeName, "clear", "", "zh-Hans"));
    Submit(*n_, own_);
    for (int i = 0; i < 40; ++i) foreign_.push_back(gen.Make(kForeign, i % 4 == 0 ? "red" : "green"));
    Put(n_->store(), foreign_);
    all_ = own_;
    all_.insert(all_.end(), foreign_.begin(), foreign_.end());
  }
  // Checks one filter against the model, for a browse and a word query;
  // the filter must narrow the answer but leave something.
  void Check(const search::Filters& f, const std::string& what) {
    SCOPED_TRACE(what);
    const auth::Caller analyst{"a1", auth::Role::kAnalyst};
    for (const Query& q :
         {Query{"", false, [](const TestRecord&) { return true; }},
          Query{"alpha golf", false, [](const TestRecord& r) { return r.Has("alpha") || r.Has("golf"); }}}) {
      auto got = SearchAll(*n_, Request(analyst, q, f));
      ASSERT_TRUE(got.ok()) << got.status();
      Outcome want = Expected(all_, analyst, q, f);
      Outcome unfiltered = Expected(all_, analyst, q, {});
      EXPECT_EQ(got->IdSet(), want.IdSet());
      EXPECT_EQ(got->total, want.total);
      EXPECT_EQ(got->facets, Normalized(want.facets));
      EXPECT_GT(want.total, 0u) << "the filter leaves nothing: a weak test";
      EXPECT_LT(want.total, unfiltered.total) << "the filter removes nothing: a weak test";
    }
  }
  static search::Filters From(const search::Params& params) {
    auto req = search::RequestFromParams(params);
    EXPECT_TRUE(req.ok()) << req.status();
    return req.ok() ? req->filters : search::Filters{};
  }

  std::unique_ptr<node::Node> n_;
  std::vector<TestRecord> own_, foreign_, all_;
};

TEST_F(FilterTest, EachFilterMeansWhatTheContractSays) {
  Check(From({{"type", "practice"}}), "type");
  Check(From({{"type", "incident,practice"}, {"country", "TH"}}), "type OR, country");
  Check(From({{"country", "VN"}, {"country", "LA"}}), "countries ORed");
  Check(From({{"lang", "en"}}), "lang en (and en-GB)");
  Check(From({{"lang", "zh-Hans"}}), "lang zh-Hans");
  Check(From({{"lang", "ZH-hans"}}), "lang, case-insensitive");
  Check(From({{"harm", "misinformation"}}), "harm");
  Check(From({{"origin", kForeign}}), "origin");
  Check(From({{"tlp", "red"}}), "tlp red (own only)");
  Check(From({{"tlp", "amber,amber+strict"}}), "tlp amber");
  Check(From({{"from", "2026-01-01"}}), "from");
  Check(From({{"to", "2025-03-31"}}), "to");
  Check(From({{"from", "2025-06-01"}, {"to", "2025-06-30"}}), "from and to, whole days");
  Check(From({{"from", "2025-06-01T12:00:00Z"}, {"to", "2025-12-01T00:00:00.5Z"}}), "from and to, times");
  Check(From({{"type", "incident"}, {"harm", "malicious-use"}, {"country", "TH,VN,ID"}, {"lang", "th,vi,id"}}),
        "facets ANDed");
}

TEST_F(FilterTest, PrimaryLanguageSubtagMatchesEveryRegionAndScript) {
  const auth::Caller admin{"root", auth::Role::kAdmin};
  search::Filters zh;
  zh.langs = {"zh"};
  auto got = SearchAll(*n_, Request(admin, Query{"", false, nullptr}, zh));
  ASSERT_TRUE(got.ok()) << got.status();
  std::set<std::string> langs;
  for (const auto& [lang, count] : got->facets["lang"]) langs.insert(lang);
  EXPECT_EQ(langs, (std::set<std::string>{"zh", "zh-Hans"}));
  search::Filters hans;
  hans.langs = {"zh-Hans"};
  auto narrow = SearchAll(*n_, Request(admin, Query{"", false, nullptr}, hans));
  ASSERT_TRUE(narrow.ok());
  EXPECT_EQ(narrow->facets["lang"].size(), 1u);
  EXPECT_LT(narrow->total, got->total);
  EXPECT_GT(narrow->total, 0u);
}

TEST_F(FilterTest, PagesWalkedEqualOneBigPage) {
  const auth::Caller admin{"root", auth::Role::kAdmin};
  for (const Query& q : {Query{"", false, nullptr}, Query{"alpha bravo charlie", false, nullptr},
                         Query{"delta -echo", false, nullptr}, Query{"ju*", false, nullptr}}) {
    SCOPED_TRACE(q.q);
    search::Filters f;
    f.types = {"incident"};
    f.countries = {"TH", "VN"};
    auto big = n_->Search([&] {
      auto r = Request(admin, q, f);
      r.limit = search::kMaxLimit;
      return r;
    }());
    ASSERT_TRUE(big.ok());
    ASSERT_LE(big->total, search::kMaxLimit) << "the big page must hold everything";
    ASSERT_GT(big->total, 7u);
    std::vector<std::string> one;
    for (const auto& h : big->hits) one.push_back(util::ToHex(h.id));
    auto walked = SearchAll(*n_, Request(admin, q, f), 7);
    ASSERT_TRUE(walked.ok()) << walked.status();
    EXPECT_EQ(walked->ids, one);
    EXPECT_EQ(walked->total, big->total);
    // A page past the end is empty, not an error.
    auto past = n_->Search([&] {
      auto r = Request(admin, q, f);
      r.offset = big->total + 5;
      return r;
    }());
    ASSERT_TRUE(past.ok());
    EXPECT_TRUE(past->hits.empty());
    EXPECT_EQ(past->total, big->total);
  }
}

TEST_F(FilterTest, BrowsingListsNewestFirst) {
  for (const auth::Caller& caller : Callers()) {
    SCOPED_TRACE(std::string(auth::RoleName(caller.role)));
    Query browse{"", false, [](const TestRecord&) { return true; }};
    auto got = SearchAll(*n_, Request(caller, browse, {}), 13);
    ASSERT_TRUE(got.ok()) << got.status();
    Outcome want = Expected(all_, caller, browse, {});
    EXPECT_EQ(got->IdSet(), want.IdSet());
    std::map<std::string, int64_t> created;
    for (const TestRecord& r : all_) created[r.hex] = r.created_us;
    std::vector<std::string> sorted = want.ids;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const std::string& a, const std::string& b) { return created[a] > created[b]; });
    EXPECT_EQ(got->ids, sorted) << "not newest first";
  }
  // The same through the hits' own field.
  auto page = n_->Search(Request(auth::Public(), Query{"", false, nullptr}, {}));
  ASSERT_TRUE(page.ok());
  for (size_t i = 1; i < page->hits.size(); ++i) EXPECT_GE(page->hits[i - 1].created, page->hits[i].created);
}

}  // namespace
}  // namespace aisafe
