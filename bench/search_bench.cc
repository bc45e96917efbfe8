// search_bench: indexing rate, query latency, index size and relevance of
// record search (issue 6), against SQLite FTS5 with its unicode61 tokenizer
// on the same records and queries in the same run.
//
// What it runs, in order:
//
//   1. Vocabularies. Every record of tests/data/search/corpus.jsonl and
//      examples/records.jsonl is segmented with text::ForEachWord, per
//      record language. For each normalised word the bench keeps its most
//      frequent surface form (the raw substring), and ranks the words by how
//      often they occur. Languages with fewer than 100 distinct words are
//      left out.
//   2. Records. N records (default 1,000,000), in equal shares of the
//      languages, generated from a fixed seed: title 6-15 words, summary 1-3
//      sentences, description 2-5 sentences of 8-20 words, each word drawn
//      from its language's vocabulary with Zipf's law (s = 1) over the
//      ranks. Thai, Lao, Khmer, Burmese and Chinese are written without
//      spaces between words, as their writers do; the other languages with
//      spaces. Types incident (60 %), practice (30 %), system (10 %) with
//      valid bodies; five TLP markings (amber ones with an audience); eight
//      origins; the language's country, sometimes with a second one. Each
//      record is a complete record document (envelope and body), serialised
//      with sorted keys, its id the SHA-256 of those bytes: a
//      store::StoredRecord as the store would return it. The first 200 are
//      checked against records::MakeRecord (same canonical bytes, same id).
//   3. Indexing, one thread, batches of 2,000 (search::Indexer's batch; --batch):
//      per batch, search::MakeIndexDoc of every record, then one
//      search::Index::Add into search::OpenXapianIndex(DIR/xapian), which
//      analyses the text and commits. Timed: MakeIndexDoc and Add.
//      Generation is not timed. On every 10th batch the bench also repeats
//      the analysis Add does (ForEachWord, then Snowball stems and diacritic
//      folding) without Xapian, to split Add's time.
//      FTS5, same batches, same thread: one transaction per batch into
//      DIR/fts5.db (WAL, synchronous=OFF, as Xapian commits without fsync):
//        docs     fts5(title, body, tokenize='unicode61'), rowid = log index + 1
//        meta     (id INTEGER PRIMARY KEY, type, tlp, origin, lang, created_us)
//        country  (id, cc) and harm (id, harm), WITHOUT ROWID, keyed (id, value)
//      It is given the text MakeIndexDoc extracted (title; the other fields
//      joined by newlines), so its time excludes reading the records.
//   4. Queries (--queries, default 3,000): 1-3 words of one language (the
//      languages in turn), each word drawn with Zipf's law from that
//      language's vocabulary without its 10 most frequent words (function
//      words nobody searches for) and without numbers; in Thai, Lao, Khmer,
//      Burmese and Chinese, multi-word queries are typed without spaces half
//      of the time. Every query has one filter, in turn: country (the
//      language's country half of the time), type, lang (the query's), harm.
//      aisafe: search::Index::Search as the node runs it: query_lang = the
//      query's language, visible = auth::VisibleTo(an analyst) (clear,
//      green, amber, amber+strict, and red of the node's own origin), limit
//      10, facets off, words ORed (the default). FTS5: each word quoted,
//      ORed, the same filter and visibility as SQL, ORDER BY bm25(docs, 3, 1)
//      (the title weighs three times, as aisafe's title wdf) LIMIT 10; no
//      total is counted. Each engine first runs the first 500 queries as a
//      warm-up, then every query: that pass is the measure. Then aisafe
//      with facets on, on the first 1,000 queries (--facet-queries). Each
//      query's wall time and its thread's CPU time are recorded.
//   5. Relevance: the records of tests/data/search/corpus.jsonl go through
//      the real submit path (node::Submitter Prepare + Commit into a SQLite
//      store), are read back with ListByLogIndex, and are indexed by both
//      engines as above. Every query of queries.jsonl runs on both (limit
//      10; aisafe with query_lang = the query's lang; FTS5 with each token
//      quoted, phrases kept, a trailing * kept as a prefix, NOT/-word as
//      NOT, words ORed). Scoped as the corpus README says: a monolingual
//      query with a lang filter, a "cross-language:" query without; and
//      also everything unscoped. Recall@10 and MRR@10, overall and per
//      query language.
//
// Output: the figures (with the Xapian index's size once compacted, for
// scale only), and PASS/FAIL for each target of issue 6.
//
// Usage: search_bench [flags]
//   --records N   generated records (default 1000000)
//   --queries N   generated queries (default 3000)
//   --dir PATH    directory for the indexes; it must exist; they are left
//                 there. Default: a fresh directory under $TMPDIR (or /tmp),
//                 removed at the end.
//   --seed N      PRNG seed (default 20260106)
//   --batch N     records per Index::Add, i.e. per Xapian commit, and per
//                 FTS5 transaction (default 2000, search::Indexer::kBatch)
//   --facet-queries N   queries of the facets-on pass (default 1000)
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "auth/auth.h"
#include "nlohmann/json.hpp"
#include "node/submitter.h"
#include "records/record.h"
#include "search/document.h"
#include "search/index.h"
#include "search/indexer.h"
#include "search/xapian_index.h"
#include "store/sqlite_store.h"
#include "text/analyzer.h"
#include "util/clock.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using aisafe::util::StrCat;

constexpr double kTargetIndexRate = 10000;  // Records/s on one core.
constexpr double kTargetMedianMs = 5;
constexpr double kTargetP99Ms = 30;

constexpr size_t kAnalysisEvery = 10;   // Batches between analysis-only samples.
constexpr size_t kStopRanks = 10;       // Most frequent words left out of queries.
constexpr size_t kMinVocabulary = 100;  // Smaller languages are left out.
constexpr size_t kValidated = 200;      // Records checked against records::MakeRecord.
constexpr size_t kLimit = 10;
constexpr size_t kWarmupQueries = 500;  // Run once before the measured pass.
constexpr size_t kFacetQueries = 1000;  // Default length of the facets-on pass.
constexpr std::string_view kNodeName = "sg.bench.aisafe";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "search_bench: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double PeakRssMb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

double CpuSeconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU time of the calling thread, in milliseconds: a query's own work, which
// other processes on the machine do not inflate (its wall time they do).
double ThreadCpuMs() {
  struct timespec ts {};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// /proc/pressure/cpu "some" total in microseconds, or -1: how long some
// runnable task waited for a CPU, which tells a quiet run from a busy one.
int64_t CpuPressureUs() {
  std::string text = ReadWhole("/proc/pressure/cpu");
  size_t at = text.find("total=");
  if (text.rfind("some", 0) != 0 || at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + 6, nullptr, 10);
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "?";
}

std::string LoadAverage() {
  std::string s = ReadWhole("/proc/loadavg");
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double Mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

const char* Verdict(bool pass) { return pass ? "PASS" : "FAIL"; }

// ---------------------------------------------------------------------------
// Flags.

struct Flags {
  uint64_t records = 1000000;
  uint64_t queries = 3000;
  std::string dir;
  uint64_t seed = 20260106;
  uint64_t batch = aisafe::search::Indexer::kBatch;
  std::optional<uint64_t> facet_queries;
};

uint64_t ParseCount(std::string_view flag, const std::string& value) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(value.c_str(), &end, 10);
  if (value.empty() || errno != 0 || *end != '\0' || value[0] == '-') {
    Die(StrCat("flag ", flag, " needs a non-negative integer, not \"", value, "\""));
  }
  return v;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: search_bench [--records N] [--queries N] [--dir PATH] [--seed N] [--batch N] [--facet-queries N]\n");
      std::exit(0);
    }
    std::string name = arg, value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      if (i + 1 >= argc) Die(StrCat("flag ", arg, " needs a value"));
      value = argv[++i];
    }
    if (name == "--records") {
      f.records = ParseCount(name, value);
    } else if (name == "--queries") {
      f.queries = ParseCount(name, value);
    } else if (name == "--dir") {
      f.dir = value;
    } else if (name == "--seed") {
      f.seed = ParseCount(name, value);
    } else if (name == "--batch") {
      f.batch = ParseCount(name, value);
    } else if (name == "--facet-queries") {
      f.facet_queries = ParseCount(name, value);
    } else {
      Die(StrCat("unknown flag ", name, " (try --help)"));
    }
  }
  if (f.records == 0) Die("--records must be at least 1");
  if (f.records >= 0xFFFFFFF0ull) Die("--records must be below 2^32 (Xapian document ids)");
  if (f.queries == 0) Die("--queries must be at least 1");
  if (f.batch == 0) Die("--batch must be at least 1");
  return f;
}

// ---------------------------------------------------------------------------
// Deterministic randomness.

// SplitMix64: small, fast, and the same everywhere (unlike the standard
// distributions).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>((static_cast<unsigned __int128>(Next()) * n) >> 64); }
  size_t Between(size_t lo, size_t hi) { return lo + Below(hi - lo + 1); }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <typename C>
  const auto& Pick(const C& c) {
    return c[Below(std::size(c))];
  }

 private:
  uint64_t s_;
};

// Ranks 0..n-1 drawn with probability proportional to 1/(rank+1).
class Zipf {
 public:
  explicit Zipf(size_t n) : cdf_(n) {
    double total = 0;
    for (size_t r = 0; r < n; ++r) cdf_[r] = (total += 1.0 / static_cast<double>(r + 1));
  }
  size_t Draw(Rng& rng) const {
    double u = rng.Unit() * cdf_.back();
    size_t r = static_cast<size_t>(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    return std::min(r, cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

// ---------------------------------------------------------------------------
// Vocabularies from the real texts.

struct Language {
  std::string tag;
  std::string country;
  bool unspaced = false;           // Written without spaces between words.
  std::string sentence_end;        // What ends a sentence, with what follows.
  std::vector<std::string> words;  // Surface forms, most frequent first.
  std::vector<bool> queryable;     // Not a number.
  std::unique_ptr<Zipf> zipf;
  uint64_t source_words = 0;  // Word occurrences in the source texts.
};

std::string HomeCountry(std::string_view lang) {
  static const std::map<std::string, std::string, std::less<>> kHome = {
      {"th", "TH"}, {"lo", "LA"},  {"km", "KH"}, {"my", "MM"},      {"vi", "VN"},  {"id", "ID"},
      {"ms", "MY"}, {"fil", "PH"}, {"en", "SG"}, {"zh-Hans", "SG"}, {"tet", "TL"}, {"pt", "TL"}};
  auto it = kHome.find(lang);
  return it == kHome.end() ? "SG" : it->second;
}

bool Unspaced(std::string_view lang) {
  std::string p = aisafe::text::PrimaryLanguage(lang);
  return p == "th" || p == "lo" || p == "km" || p == "my" || p == "zh" || p == "ja";
}

std::string SentenceEnd(std::string_view lang) {
  std::string p = aisafe::text::PrimaryLanguage(lang);
  if (p == "th" || p == "lo") return " ";
  if (p == "km") return "។ ";
  if (p == "my") return "။ ";
  if (p == "zh" || p == "ja") return "。";
  return ". ";
}

// Every string of a record document worth reading as text.
void CollectText(const Json& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    out->push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& e : v) CollectText(e, out);
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.items()) {
      if (k == "signature" || k == "sha256" || k == "record" || k == "key" || k == "sig") continue;
      CollectText(e, out);
    }
  }
}

std::vector<Language> BuildVocabularies(const std::vector<Json>& docs) {
  struct Counts {
    uint64_t total = 0;
    std::map<std::string, uint64_t> surfaces;
  };
  std::map<std::string, std::map<std::string, Counts>> by_lang;
  std::map<std::string, uint64_t> occurrences;
  for (const Json& doc : docs) {
    if (!doc.is_object() || !doc.contains("lang") || !doc["lang"].is_string()) continue;
    std::string lang = doc["lang"].get<std::string>();
    std::vector<std::string> texts;
    for (const char* key : {"title", "summary"}) {
      if (doc.contains(key) && doc[key].is_string()) texts.push_back(doc[key].get<std::string>());
    }
    if (doc.contains("body")) CollectText(doc["body"], &texts);
    auto& words = by_lang[lang];
    for (const std::string& t : texts) {
      aisafe::text::ForEachWord(t, [&](const aisafe::text::Word& w) {
        if (w.term.size() > 60) return;
        Counts& c = words[std::string(w.term)];
        ++c.total;
        ++c.surfaces[t.substr(w.begin, w.end - w.begin)];
        ++occurrences[lang];
      });
    }
  }
  std::vector<Language> out;
  for (auto& [tag, words] : by_lang) {
    if (words.size() < kMinVocabulary) continue;
    std::vector<std::pair<uint64_t, std::string>> ranked;  // (count, surface)
    for (auto& [term, c] : words) {
      std::string best;
      uint64_t best_n = 0;
      for (auto& [s, n] : c.surfaces) {
        if (n > best_n) best = s, best_n = n;  // Ties: the first in byte order.
      }
      ranked.emplace_back(c.total, best);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    Language l;
    l.tag = tag;
    l.country = HomeCountry(tag);
    l.unspaced = Unspaced(tag);
    l.sentence_end = SentenceEnd(tag);
    l.source_words = occurrences[tag];
    for (auto& [n, s] : ranked) {
      bool digits =
          std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == ','; });
      l.words.push_back(s);
      l.queryable.push_back(!digits);
    }
    l.zipf = std::make_unique<Zipf>(l.words.size());
    out.push_back(std::move(l));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Record generation.

constexpr std::array<const char*, 7> kHarms = {
    "discrimination-toxicity",     "privacy-security", "misinformation", "malicious-use", "human-computer-interaction",
    "socioeconomic-environmental", "ai-system-safety"};
constexpr std::array<const char*, 12> kDomains = {"information",
                                                  "financial",
                                                  "cyber",
                                                  "maritime",
                                                  "undersea-infrastructure",
                                                  "critical-infrastructure",
                                                  "defence",
                                                  "health",
                                                  "public-services",
                                                  "employment",
                                                  "education",
                                                  "other"};
constexpr std::array<const char*, 7> kPrinciples = {
    "transparency-explainability", "fairness-equity",          "security-safety",       "human-centricity",
    "privacy-data-governance",     "accountability-integrity", "robustness-reliability"};
constexpr std::array<const char*, 15> kSectors = {"public-administration",
                                                  "defence",
                                                  "law-enforcement",
                                                  "finance",
                                                  "health",
                                                  "education",
                                                  "employment",
                                                  "transport",
                                                  "energy",
                                                  "telecommunications",
                                                  "media",
                                                  "retail",
                                                  "agriculture",
                                                  "maritime",
                                                  "other"};
constexpr std::array<const char*, 4> kSeverity = {"low", "moderate", "high", "critical"};
constexpr std::array<const char*, 4> kRiskTier = {"minimal", "limited", "high", "unacceptable"};
constexpr std::array<const char*, 3> kInvolvement = {"human-in-the-loop", "human-over-the-loop",
                                                     "human-out-of-the-loop"};
constexpr std::array<const char*, 4> kPracticeKinds = {"safeguard", "best-practice", "lesson-learned", "policy"};
constexpr std::array<const char*, 11> kCountries = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"};
constexpr std::array<const char*, 8> kOrigins = {"sg.bench.aisafe", "th.bench.aisafe", "vn.bench.aisafe",
                                                 "id.bench.aisafe", "my.bench.aisafe", "ph.bench.aisafe",
                                                 "kh.bench.aisafe", "la.bench.aisafe"};
constexpr std::array<const char*, 3> kTypes = {"incident", "practice", "system"};

struct Generated {
  uint64_t records = 0, canonical_bytes = 0, text_bytes = 0;
  std::array<uint64_t, 5> per_tlp{};
  std::array<uint64_t, 3> per_type{};
};

class Generator {
 public:
  Generator(uint64_t seed, const std::vector<Language>* langs) : rng_(seed), langs_(langs) {}

  // Record `index` (its log index), as a store would return it.
  aisafe::store::StoredRecord Make(uint64_t index, Generated* stats) {
    const Language& lang = (*langs_)[index % langs_->size()];
    Json doc = Json::object();
    size_t type_pick = rng_.Below(10);
    const char* type = type_pick < 6 ? "incident" : type_pick < 9 ? "practice" : "system";
    size_t tlp_pick = rng_.Below(20);  // clear 30 %, green 40 %, amber 15 %, amber+strict 5 %, red 10 %.
    size_t tlp = tlp_pick < 6 ? 0 : tlp_pick < 14 ? 1 : tlp_pick < 17 ? 2 : tlp_pick < 18 ? 3 : 4;
    const char* tlp_name = std::array<const char*, 5>{"clear", "green", "amber", "amber+strict", "red"}[tlp];
    std::string origin = rng_.Pick(kOrigins);
    int64_t created_s = 1577836800 + static_cast<int64_t>(rng_.Below(214000000));  // 2020-01-01 + ~6.8 years.
    std::string created = aisafe::util::FormatTimestamp(absl::FromUnixSeconds(created_s));
    std::vector<std::string> countries{lang.country};
    if (rng_.Chance(0.3)) {
      std::string other = rng_.Pick(kCountries);
      if (other != lang.country) countries.push_back(other);
    }
    doc["type"] = type;
    doc["origin"] = origin;
    doc["created"] = created;
    doc["nonce"] = Nonce();
    doc["tlp"] = tlp_name;
    if (tlp == 2 || tlp == 3) doc["audience"] = Json::array({rng_.Pick(kOrigins)});
    doc["lang"] = lang.tag;
    doc["countries"] = countries;
    std::string title = Words(lang, rng_.Between(6, 15), 480);
    std::string summary = Sentences(lang, rng_.Between(1, 3));
    std::string description = Sentences(lang, rng_.Between(2, 5));
    stats->text_bytes += title.size() + summary.size() + description.size();
    doc["title"] = title;
    doc["summary"] = summary;
    Json body = Json::object();
    if (std::strcmp(type, "incident") == 0) {
      body["occurred"] = created.substr(0, 10);
      body["domain"] = rng_.Pick(kDomains);
      std::set<std::string> harms{rng_.Pick(kHarms)};
      if (rng_.Chance(0.4)) harms.insert(rng_.Pick(kHarms));
      body["harm_categories"] = std::vector<std::string>(harms.begin(), harms.end());
      body["severity"] = rng_.Pick(kSeverity);
      body["description"] = description;
      body["affected"] = rng_.Between(1, 100000);
    } else if (std::strcmp(type, "practice") == 0) {
      body["kind"] = rng_.Pick(kPracticeKinds);
      std::set<std::string> principles{rng_.Pick(kPrinciples)};
      if (rng_.Chance(0.5)) principles.insert(rng_.Pick(kPrinciples));
      body["principles"] = std::vector<std::string>(principles.begin(), principles.end());
      body["description"] = description;
      body["sectors"] = Json::array({rng_.Pick(kSectors)});
    } else {
      body["name"] = Words(lang, rng_.Between(1, 3), 200);
      body["provider"] = Words(lang, rng_.Between(1, 3), 200);
      body["purpose"] = description;
      body["sector"] = rng_.Pick(kSectors);
      body["deployment_countries"] = countries;
      body["risk_tier"] = rng_.Pick(kRiskTier);
      body["human_involvement"] = rng_.Pick(kInvolvement);
    }
    doc["body"] = std::move(body);

    aisafe::store::StoredRecord r;
    r.seq = index + 1;
    r.log_index = index;
    // Keys sorted, strings as they are, integers only: the RFC 8785 form.
    r.canonical = doc.dump();
    r.id = aisafe::util::Sha256(r.canonical);
    r.type = type;
    r.origin = origin;
    r.tlp = tlp_name;
    r.created = created;
    r.created_us = created_s * 1000000;
    ++stats->records;
    stats->canonical_bytes += r.canonical.size();
    ++stats->per_tlp[tlp];
    ++stats->per_type[static_cast<size_t>(
        std::find_if(kTypes.begin(), kTypes.end(), [&](const char* t) { return std::strcmp(t, type) == 0; }) -
        kTypes.begin())];
    if (index < kValidated) validate_.push_back(std::move(doc));
    return r;
  }

  // The documents kept for the records::MakeRecord check.
  std::vector<Json>& ToValidate() { return validate_; }

 private:
  std::string Nonce() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(32, '0');
    uint64_t a = rng_.Next(), b = rng_.Next();
    for (int i = 0; i < 16; ++i) {
      out[static_cast<size_t>(i)] = kHex[(a >> (4 * i)) & 15];
      out[static_cast<size_t>(16 + i)] = kHex[(b >> (4 * i)) & 15];
    }
    return out;
  }

  // `n` words (fewer if they would pass `max_bytes`), no sentence end.
  std::string Words(const Language& lang, size_t n, size_t max_bytes) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      const std::string& w = lang.words[lang.zipf->Draw(rng_)];
      size_t extra = w.size() + (out.empty() || lang.unspaced ? 0 : 1);
      if (out.size() + extra > max_bytes) break;
      if (!out.empty() && !lang.unspaced) out += ' ';
      out += w;
    }
    if (out.empty()) out = lang.words.front();
    return out;
  }

  std::string Sentences(const Language& lang, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      out += Words(lang, rng_.Between(8, 20), 4000);
      if (i + 1 < n) {
        out += lang.sentence_end;
      } else if (lang.sentence_end != " ") {
        // The last sentence ends with its mark, without what follows it.
        std::string_view end = lang.sentence_end;
        while (!end.empty() && end.back() == ' ') end.remove_suffix(1);
        out += end;
      }
    }
    return out;
  }

  Rng rng_;
  const std::vector<Language>* langs_;
  std::vector<Json> validate_;
};

// ---------------------------------------------------------------------------
// The analysis Xapian's Add does, without Xapian (to split Add's time).

struct AnalysisSample {
  double make_doc_s = 0, add_s = 0, segment_s = 0, analyse_s = 0;
  uint64_t records = 0, words = 0;
};

void SampleAnalysis(std::span<const aisafe::search::IndexDoc> docs, AnalysisSample* out) {
  uint64_t words = 0;
  auto t0 = Clock::now();
  for (const auto& d : docs) {
    auto count = [&](const aisafe::text::Word& w) { words += w.term.size() <= 120 ? 1 : 0; };
    aisafe::text::ForEachWord(d.title, count);
    for (const std::string& f : d.fields) aisafe::text::ForEachWord(f, count);
  }
  auto t1 = Clock::now();
  std::map<std::string, aisafe::text::Analyzer> analyzers;
  size_t sink = 0;
  for (const auto& d : docs) {
    std::string primary = aisafe::text::PrimaryLanguage(d.lang);
    auto it = analyzers.find(primary);
    if (it == analyzers.end()) it = analyzers.emplace(primary, aisafe::text::Analyzer(primary)).first;
    const aisafe::text::Analyzer& a = it->second;
    auto analyse = [&](const aisafe::text::Word& w) {
      if (w.term.size() > 120) return;
      std::string term(w.term);
      if (a.HasStemmer()) sink += a.Stem(term).size();
      sink += aisafe::text::FoldDiacritics(term).size();
      sink += term.size();
    };
    aisafe::text::ForEachWord(d.title, analyse);
    for (const std::string& f : d.fields) aisafe::text::ForEachWord(f, analyse);
  }
  auto t2 = Clock::now();
  if (sink == 1) std::fputc(' ', stderr);  // Keeps the work from being optimised away.
  out->segment_s += Seconds(t1 - t0);
  out->analyse_s += Seconds(t2 - t1);  // The whole analysis, segmentation included.
  out->words += words;
}

// ---------------------------------------------------------------------------
// The FTS5 baseline.

enum class FilterKind { kNone, kCountry, kType, kLang, kHarm };
constexpr std::array<FilterKind, 4> kFilterKinds = {FilterKind::kCountry, FilterKind::kType, FilterKind::kLang,
                                                    FilterKind::kHarm};

const char* FilterName(FilterKind k) {
  switch (k) {
    case FilterKind::kNone:
      return "none";
    case FilterKind::kCountry:
      return "country";
    case FilterKind::kType:
      return "type";
    case FilterKind::kLang:
      return "lang";
    case FilterKind::kHarm:
      return "harm";
  }
  return "?";
}

class Fts5 {
 public:
  Fts5(const std::string& path, const aisafe::auth::VisibleSet& visible) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) Die(StrCat("fts5: cannot open ", path));
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=OFF");
    Exec("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61')");
    Exec("CREATE TABLE meta(id INTEGER PRIMARY KEY, type TEXT, tlp TEXT, origin TEXT, lang TEXT, created_us INTEGER)");
    Exec("CREATE TABLE country(id INTEGER, cc TEXT, PRIMARY KEY(id, cc)) WITHOUT ROWID");
    Exec("CREATE TABLE harm(id INTEGER, harm TEXT, PRIMARY KEY(id, harm)) WITHOUT ROWID");
    ins_doc_ = Prepare("INSERT INTO docs(rowid, title, body) VALUES (?1, ?2, ?3)");
    ins_meta_ = Prepare("INSERT INTO meta VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    ins_country_ = Prepare("INSERT OR IGNORE INTO country VALUES (?1, ?2)");
    ins_harm_ = Prepare("INSERT OR IGNORE INTO harm VALUES (?1, ?2)");
    // The asker's visibility, as the store spells it (auth.h).
    std::vector<std::string> tlps;
    for (auto t : visible.markings) tlps.push_back(StrCat("'", aisafe::records::TlpName(t), "'"));
    std::string vis = tlps.empty() ? "0" : StrCat("meta.tlp IN (", aisafe::util::StrJoin(tlps, ","), ")");
    if (visible.red_of_own_origin) vis = StrCat("(", vis, " OR (meta.tlp = 'red' AND meta.origin = ?2))");
    const std::string head =
        StrCat("SELECT docs.rowid FROM docs JOIN meta ON meta.id = docs.rowid WHERE docs MATCH ?1 AND ", vis);
    const std::string tail = " ORDER BY bm25(docs, 3.0, 1.0) LIMIT ?4";
    query_[0] = Prepare(head + " AND ?3 IS NOT NULL" + tail);
    query_[1] = Prepare(head + " AND EXISTS (SELECT 1 FROM country c WHERE c.id = docs.rowid AND c.cc = ?3)" + tail);
    query_[2] = Prepare(head + " AND meta.type = ?3" + tail);
    query_[3] = Prepare(head + " AND meta.lang = ?3" + tail);
    query_[4] = Prepare(head + " AND EXISTS (SELECT 1 FROM harm h WHERE h.id = docs.rowid AND h.harm = ?3)" + tail);
  }
  ~Fts5() {
    for (sqlite3_stmt* s : {ins_doc_, ins_meta_, ins_country_, ins_harm_}) sqlite3_finalize(s);
    for (sqlite3_stmt* s : query_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  Fts5(const Fts5&) = delete;
  Fts5& operator=(const Fts5&) = delete;

  void Begin() { Exec("BEGIN"); }
  void Commit() { Exec("COMMIT"); }

  void Insert(const aisafe::search::IndexDoc& d) {
    const auto rowid = static_cast<sqlite3_int64>(d.log_index + 1);
    std::string body = aisafe::util::StrJoin(d.fields, "\n");
    sqlite3_bind_int64(ins_doc_, 1, rowid);
    sqlite3_bind_text(ins_doc_, 2, d.title.data(), static_cast<int>(d.title.size()), SQLITE_STATIC);
    sqlite3_bind_text(ins_doc_, 3, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    Step(ins_doc_);
    sqlite3_bind_int64(ins_meta_, 1, rowid);
    Bind(ins_meta_, 2, d.type);
    Bind(ins_meta_, 3, d.tlp);
    Bind(ins_meta_, 4, d.origin);
    Bind(ins_meta_, 5, d.lang);
    sqlite3_bind_int64(ins_meta_, 6, d.created_us);
    Step(ins_meta_);
    for (const std::string& c : d.countries) {
      sqlite3_bind_int64(ins_country_, 1, rowid);
      Bind(ins_country_, 2, c);
      Step(ins_country_);
    }
    for (const std::string& h : d.harms) {
      sqlite3_bind_int64(ins_harm_, 1, rowid);
      Bind(ins_harm_, 2, h);
      Step(ins_harm_);
    }
  }

  // Log indexes of the best `limit` matches; false (with the message) if
  // SQLite refused the query.
  bool Search(const std::string& match, FilterKind kind, const std::string& value, size_t limit,
              std::vector<uint64_t>* out, std::string* error) {
    out->clear();
    sqlite3_stmt* s = query_[static_cast<size_t>(kind)];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    Bind(s, 1, match);
    Bind(s, 2, std::string(kNodeName));
    if (kind == FilterKind::kNone) {
      Bind(s, 3, std::string("-"));
    } else {
      Bind(s, 3, value);
    }
    sqlite3_bind_int64(s, 4, static_cast<sqlite3_int64>(limit));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) out->push_back(static_cast<uint64_t>(sqlite3_column_int64(s, 0)) - 1);
    if (rc != SQLITE_DONE) {
      *error = sqlite3_errmsg(db_);
      sqlite3_reset(s);
      return false;
    }
    return true;
  }

  std::string Plan(FilterKind kind) {
    std::string sql = sqlite3_sql(query_[static_cast<size_t>(kind)]);
    sqlite3_stmt* s = Prepare("EXPLAIN QUERY PLAN " + sql);
    std::string out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      if (!out.empty()) out += "; ";
      out += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
    }
    sqlite3_finalize(s);
    return out;
  }

  // Bytes of the FTS5 shadow tables alone (dbstat), or -1 if SQLite was
  // built without it.
  int64_t FtsTableBytes() {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'docs%'", -1, &s, nullptr) !=
        SQLITE_OK) {
      sqlite3_finalize(s);
      return -1;
    }
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
  }

  void Checkpoint() { Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

 private:
  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "?";
      sqlite3_free(err);
      Die(StrCat("fts5: ", sql, ": ", msg));
    }
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      Die(StrCat("fts5: cannot prepare ", sql, ": ", sqlite3_errmsg(db_)));
    }
    return s;
  }
  static void Bind(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Step(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) Die(StrCat("fts5: insert failed: ", sqlite3_errmsg(db_)));
    sqlite3_reset(s);
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt *ins_doc_ = nullptr, *ins_meta_ = nullptr, *ins_country_ = nullptr, *ins_harm_ = nullptr;
  std::array<sqlite3_stmt*, 5> query_{};
};

std::string Fts5String(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// A user's query in FTS5 syntax that cannot be a syntax error: every word
// or "phrase" quoted (a trailing * kept as a prefix), NOT x / -x as NOT,
// the rest ORed; OR/AND/parentheses dropped. "" if nothing is left.
std::string ToFts5(std::string_view q) {
  std::vector<std::string> pos, neg;
  bool negate_next = false;
  size_t i = 0;
  while (i < q.size()) {
    if (q[i] == ' ' || q[i] == '\t' || q[i] == '(' || q[i] == ')') {
      ++i;
      continue;
    }
    bool negative = negate_next;
    negate_next = false;
    if (q[i] == '-' && i + 1 < q.size() && q[i + 1] != ' ') {
      negative = true;
      ++i;
    }
    std::string text;
    bool prefix = false;
    if (q[i] == '"') {
      size_t end = q.find('"', i + 1);
      if (end == std::string_view::npos) end = q.size();
      text = std::string(q.substr(i + 1, end - i - 1));
      i = std::min(q.size(), end + 1);
    } else {
      size_t end = i;
      while (end < q.size() && q[end] != ' ' && q[end] != '\t' && q[end] != '(' && q[end] != ')') ++end;
      text = std::string(q.substr(i, end - i));
      i = end;
      if (text == "OR" || text == "AND") continue;
      if (text == "NOT") {
        negate_next = true;
        continue;
      }
      while (!text.empty() && text.back() == '*') {
        text.pop_back();
        prefix = true;
      }
      text.erase(std::remove(text.begin(), text.end(), '"'), text.end());
    }
    if (text.empty()) continue;
    std::string term = Fts5String(text) + (prefix ? " *" : "");
    (negative ? neg : pos).push_back(std::move(term));
  }
  if (pos.empty()) return "";
  std::string out = StrCat("(", aisafe::util::StrJoin(pos, " OR "), ")");
  if (!neg.empty()) aisafe::util::StrAppend(&out, " NOT (", aisafe::util::StrJoin(neg, " OR "), ")");
  return out;
}

// ---------------------------------------------------------------------------
// Generated queries.

struct Query {
  std::string q;
  std::string lang;
  size_t words = 0;
  bool unspaced = false;
  FilterKind filter = FilterKind::kNone;
  std::string value;
};

std::vector<Query> MakeQueries(const std::vector<Language>& langs, uint64_t n, uint64_t seed) {
  Rng rng(seed ^ 0x5EA6C4ull);
  std::vector<Query> out;
  for (uint64_t i = 0; i < n; ++i) {
    const Language& l = langs[i % langs.size()];
    Query q;
    q.lang = l.tag;
    q.words = rng.Between(1, 3);
    q.unspaced = l.unspaced;
    bool joined = l.unspaced && q.words > 1 && rng.Chance(0.5);
    for (size_t k = 0; k < q.words; ++k) {
      size_t r;
      do {
        r = l.zipf->Draw(rng);
      } while (r < kStopRanks || !l.queryable[r]);
      if (!q.q.empty() && !joined) q.q += ' ';
      q.q += l.words[r];
    }
    q.filter = kFilterKinds[(i / langs.size()) % kFilterKinds.size()];
    switch (q.filter) {
      case FilterKind::kCountry:
        q.value = rng.Chance(0.5) ? l.country : std::string(rng.Pick(kCountries));
        break;
      case FilterKind::kType: {
        size_t t = rng.Below(10);
        q.value = t < 6 ? "incident" : t < 9 ? "practice" : "system";
        break;
      }
      case FilterKind::kLang:
        q.value = l.tag;
        break;
      case FilterKind::kHarm:
        q.value = rng.Pick(kHarms);
        break;
      case FilterKind::kNone:
        break;
    }
    out.push_back(std::move(q));
  }
  return out;
}

aisafe::search::SearchRequest Request(const std::string& q, const std::string& lang, FilterKind kind,
                                      const std::string& value, const aisafe::auth::VisibleSet& visible) {
  aisafe::search::SearchRequest req;
  req.q = q;
  req.query_lang = lang;
  req.visible = visible;
  req.node_name = std::string(kNodeName);
  req.limit = kLimit;
  switch (kind) {
    case FilterKind::kCountry:
      req.filters.countries = {value};
      break;
    case FilterKind::kType:
      req.filters.types = {value};
      break;
    case FilterKind::kLang:
      req.filters.langs = {value};
      break;
    case FilterKind::kHarm:
      req.filters.harms = {value};
      break;
    case FilterKind::kNone:
      break;
  }
  return req;
}

struct Latencies {
  std::vector<double> ms;      // Wall time of each query.
  std::vector<double> cpu_ms;  // CPU time of each query (the thread's).
  std::vector<FilterKind> kind;
  std::vector<bool> unspaced;
  std::vector<double> total;  // aisafe: visible matches, counted up to search::kExactTotalUpTo.
  uint64_t empty = 0, errors = 0, hits = 0;
  std::string first_error;
  double wall_s = 0;

  void Print(const char* name) const {
    std::printf(
        "  %-34s median %7.2f ms  p90 %7.2f  p99 %7.2f  max %8.2f  mean %6.2f; %zu queries, %.1f s; "
        "empty %" PRIu64 ", mean hits %.1f",
        name, Percentile(ms, 0.5), Percentile(ms, 0.9), Percentile(ms, 0.99),
        ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()), Mean(ms), ms.size(), wall_s, empty,
        ms.empty() ? 0 : static_cast<double>(hits) / static_cast<double>(ms.size()));
    if (errors > 0) std::printf("; %" PRIu64 " errors (first: %s)", errors, first_error.c_str());
    std::printf("\n");
    std::printf("  %-34s median %7.2f ms  p90 %7.2f  p99 %7.2f  max %8.2f  mean %6.2f  (CPU time of the query)\n", "",
                Percentile(cpu_ms, 0.5), Percentile(cpu_ms, 0.9), Percentile(cpu_ms, 0.99),
                cpu_ms.empty() ? 0 : *std::max_element(cpu_ms.begin(), cpu_ms.end()), Mean(cpu_ms));
  }
  // By how many visible records a query matches: what the latency follows.
  void PrintByMatches() const {
    if (total.size() != ms.size()) return;
    std::printf("      visible matches: median %.0f (counted up to %llu)\n", Percentile(total, 0.5),
                static_cast<unsigned long long>(aisafe::search::kExactTotalUpTo));
    const std::array<std::pair<double, double>, 4> buckets = {{{0, 1000}, {1000, 5000}, {5000, 10000}, {10000, 1e18}}};
    for (const auto& [lo, hi] : buckets) {
      std::vector<double> v, c;
      for (size_t i = 0; i < ms.size(); ++i) {
        if (total[i] >= lo && total[i] < hi) v.push_back(ms[i]), c.push_back(cpu_ms[i]);
      }
      std::string label = hi > 1e17 ? StrCat(">= ", static_cast<int64_t>(lo))
                                    : StrCat(static_cast<int64_t>(lo), "-", static_cast<int64_t>(hi) - 1);
      std::printf("      matches %-11s    median %7.2f ms  p99 %7.2f  (CPU median %.2f)  (%zu)\n", label.c_str(),
                  Percentile(v, 0.5), Percentile(v, 0.99), Percentile(c, 0.5), v.size());
    }
  }
  void PrintSplit() const {
    for (FilterKind k : kFilterKinds) {
      std::vector<double> v;
      for (size_t i = 0; i < ms.size(); ++i) {
        if (kind[i] == k) v.push_back(ms[i]);
      }
      std::printf("      filter %-8s median %7.2f ms  p99 %7.2f  (%zu)\n", FilterName(k), Percentile(v, 0.5),
                  Percentile(v, 0.99), v.size());
    }
    for (bool u : {false, true}) {
      std::vector<double> v;
      for (size_t i = 0; i < ms.size(); ++i) {
        if (unspaced[i] == u) v.push_back(ms[i]);
      }
      std::printf("      %-15s median %7.2f ms  p99 %7.2f  (%zu)\n", u ? "unspaced langs" : "spaced langs",
                  Percentile(v, 0.5), Percentile(v, 0.99), v.size());
    }
  }
};

// ---------------------------------------------------------------------------
// Relevance on the test corpus.

struct Judged {
  std::string id, lang, q;
  std::set<std::string> relevant;
  bool cross = false;
};

struct Metric {
  double recall = 0, rr = 0;
  size_t n = 0;
  void Add(double r, double m) {
    recall += r;
    rr += m;
    ++n;
  }
};

void Score(const std::vector<std::string>& ranked, const std::set<std::string>& relevant, double* recall, double* rr) {
  size_t found = 0;
  *rr = 0;
  for (size_t i = 0; i < ranked.size() && i < kLimit; ++i) {
    if (relevant.count(ranked[i])) {
      ++found;
      if (*rr == 0) *rr = 1.0 / static_cast<double>(i + 1);
    }
  }
  *recall = relevant.empty() ? 0 : static_cast<double>(found) / static_cast<double>(relevant.size());
}

std::string WaitForFile(const std::string& path) {
  for (int i = 0; i < 60 && !std::filesystem::exists(path); ++i) {
    std::fprintf(stderr, "search_bench: waiting for %s\n", path.c_str());
    std::this_thread::sleep_for(std::chrono::seconds(10));
  }
  if (!std::filesystem::exists(path)) Die(StrCat(path, " does not exist"));
  return ReadWhole(path);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

void RunRelevance(const std::string& dir, const std::vector<Json>& corpus_lines, const std::string& queries_text,
                  const aisafe::auth::VisibleSet& visible) {
  // The records through the real submit path.
  auto store = aisafe::store::OpenSqliteStore(dir + "/corpus-store.db", {.create = true, .durable = false});
  if (!store.ok()) Die("corpus store: " + store.status().ToString());
  aisafe::node::Submitter submitter({.origin = std::string(kNodeName), .threads = 1}, store->get(),
                                    &aisafe::util::RealClock());
  std::vector<std::string> texts, keys;
  for (const Json& line : corpus_lines) {
    texts.push_back(line["record"].dump());
    keys.push_back(line["key"].get<std::string>());
  }
  std::vector<aisafe::node::InputDoc> inputs;
  for (size_t i = 0; i < texts.size(); ++i) inputs.push_back({texts[i], i + 1});
  auto results = submitter.Submit(inputs, "corpus.jsonl");
  if (!results.ok()) Die("corpus submit: " + results.status().ToString());
  std::map<aisafe::util::Digest, std::string> key_of;
  for (size_t i = 0; i < results->size(); ++i) key_of[(*results)[i].id] = keys[i];
  auto stored = (*store)->ListByLogIndex(0, texts.size() + 10);
  if (!stored.ok() || stored->size() != texts.size()) Die("corpus: the store does not hold every record");
  std::vector<aisafe::search::IndexDoc> docs;
  std::map<uint64_t, std::string> key_by_index;
  for (const auto& r : *stored) {
    auto d = aisafe::search::MakeIndexDoc(r);
    if (!d.ok()) Die("corpus: " + d.status().ToString());
    key_by_index[r.log_index] = key_of.at(r.id);
    docs.push_back(std::move(*d));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir + "/corpus-xapian", ec);
  auto index = aisafe::search::OpenXapianIndex(dir + "/corpus-xapian", std::string(kNodeName));
  if (!index.ok()) Die("corpus index: " + index.status().ToString());
  if (auto s = (*index)->Add(docs, {stored->back().log_index + 1, stored->back().id}); !s.ok()) {
    Die("corpus index: " + s.ToString());
  }
  Fts5 fts(dir + "/corpus-fts5.db", visible);
  fts.Begin();
  for (const auto& d : docs) fts.Insert(d);
  fts.Commit();

  std::vector<Judged> judged;
  for (const std::string& line : Lines(queries_text)) {
    Json j = Json::parse(line);
    Judged q;
    q.id = j["id"].get<std::string>();
    q.lang = j["lang"].get<std::string>();
    q.q = j["q"].get<std::string>();
    for (const auto& r : j["relevant"]) q.relevant.insert(r.get<std::string>());
    q.cross = j.value("note", "").rfind("cross-language:", 0) == 0;
    judged.push_back(std::move(q));
  }

  // [scoped?][engine] -> lang -> metric; "" is overall.
  std::map<std::string, Metric> m[2][2];
  std::vector<std::string> langs;
  std::vector<std::string> misses;
  for (const Judged& q : judged) {
    if (std::find(langs.begin(), langs.end(), q.lang) == langs.end()) langs.push_back(q.lang);
    for (int scoped = 0; scoped < 2; ++scoped) {
      FilterKind kind = scoped && !q.cross ? FilterKind::kLang : FilterKind::kNone;
      // aisafe.
      auto res = (*index)->Search(Request(q.q, q.lang, kind, q.lang, visible));
      std::vector<std::string> ranked;
      if (!res.ok()) {
        misses.push_back(StrCat(q.id, " aisafe error: ", res.status().ToString()));
      } else {
        for (const auto& h : res->hits) {
          auto it = key_of.find(h.id);
          ranked.push_back(it == key_of.end() ? "?" : it->second);
        }
      }
      double recall, rr;
      Score(ranked, q.relevant, &recall, &rr);
      m[scoped][0][""].Add(recall, rr);
      m[scoped][0][q.lang].Add(recall, rr);
      // FTS5.
      std::string match = ToFts5(q.q);
      std::vector<uint64_t> rows;
      std::string error;
      ranked.clear();
      if (!match.empty() && fts.Search(match, kind, q.lang, kLimit, &rows, &error)) {
        for (uint64_t r : rows) ranked.push_back(key_by_index.at(r));
      } else if (!match.empty()) {
        misses.push_back(StrCat(q.id, " fts5 error: ", error, " for ", match));
      }
      double f_recall, f_rr;
      Score(ranked, q.relevant, &f_recall, &f_rr);
      m[scoped][1][""].Add(f_recall, f_rr);
      m[scoped][1][q.lang].Add(f_recall, f_rr);
    }
  }

  std::printf(
      "\nrelevance: %zu records of tests/data/search/corpus.jsonl (submitted through node::Submitter), "
      "%zu queries of queries.jsonl, limit %zu\n",
      docs.size(), judged.size(), kLimit);
  for (int scoped = 1; scoped >= 0; --scoped) {
    std::printf(scoped ? "  scoped (monolingual queries with lang = the query's lang, cross-language without):\n"
                       : "  unscoped (no filter for any query):\n");
    std::printf("    %-9s %8s %8s %8s %8s  %s\n", "lang", "aisafe", "", "FTS5", "", "queries");
    std::printf("    %-9s %8s %8s %8s %8s\n", "", "R@10", "MRR", "R@10", "MRR");
    std::vector<std::string> order = langs;
    order.push_back("");
    for (const std::string& l : order) {
      const Metric& a = m[scoped][0][l];
      const Metric& f = m[scoped][1][l];
      double n = static_cast<double>(std::max<size_t>(a.n, 1));
      std::printf("    %-9s %8.3f %8.3f %8.3f %8.3f  %zu\n", l.empty() ? "all" : l.c_str(), a.recall / n, a.rr / n,
                  f.recall / n, f.rr / n, a.n);
    }
  }
  for (const std::string& s : misses) std::printf("  note: %s\n", s.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  std::string dir = flags.dir;
  bool remove_dir = false;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aisafe-search-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) Die("cannot create a temporary directory");
    dir = tmpl;
    remove_dir = true;
  } else if (!std::filesystem::is_directory(dir)) {
    Die(StrCat("--dir ", dir, " is not a directory"));
  }

  const std::string data_dir = AISAFE_SEARCH_DATA;
  std::vector<Json> corpus_lines;
  for (const std::string& line : Lines(WaitForFile(data_dir + "/corpus.jsonl")))
    corpus_lines.push_back(Json::parse(line));
  const std::string queries_text = WaitForFile(data_dir + "/queries.jsonl");
  std::vector<Json> sources;
  for (const Json& l : corpus_lines) sources.push_back(l["record"]);
  for (const std::string& line : Lines(ReadWhole(AISAFE_EXAMPLES))) sources.push_back(Json::parse(line));

  const aisafe::auth::VisibleSet visible =
      aisafe::auth::VisibleTo(aisafe::auth::Caller{"analyst", aisafe::auth::Role::kAnalyst});

  std::printf("search_bench: %" PRIu64 " generated records, %" PRIu64 " queries, seed %" PRIu64 "\n", flags.records,
              flags.queries, flags.seed);
  std::printf("machine: %u CPUs, %s; load average %s\n", std::thread::hardware_concurrency(), CpuModel().c_str(),
              LoadAverage().c_str());
  std::printf("SQLite %s; indexes in %s\n", sqlite3_libversion(), dir.c_str());

  // 1. Vocabularies.
  std::vector<Language> langs = BuildVocabularies(sources);
  if (langs.empty()) Die("no language has enough words");
  std::printf("vocabularies from %zu records (%s and examples/records.jsonl):\n", sources.size(),
              "tests/data/search/corpus.jsonl");
  for (const Language& l : langs) {
    std::printf("  %-8s %5zu words (%" PRIu64 " occurrences)%s; most frequent: %s %s %s; rank 100: %s\n", l.tag.c_str(),
                l.words.size(), l.source_words, l.unspaced ? ", unspaced" : "", l.words[0].c_str(), l.words[1].c_str(),
                l.words[2].c_str(), l.words[std::min<size_t>(100, l.words.size() - 1)].c_str());
  }
  std::fflush(stdout);

  // 2 + 3. Generate and index.
  std::error_code ec;
  std::filesystem::remove_all(dir + "/xapian", ec);
  auto index_or = aisafe::search::OpenXapianIndex(dir + "/xapian", std::string(kNodeName));
  if (!index_or.ok()) Die("xapian: " + index_or.status().ToString());
  aisafe::search::Index& index = **index_or;
  Fts5 fts(dir + "/fts5.db", visible);

  Generator gen(flags.seed, &langs);
  Generated stats;
  AnalysisSample sample;
  double gen_s = 0, make_doc_s = 0, add_s = 0, fts_s = 0, cpu_index_s = 0, cpu_fts_s = 0;
  std::vector<double> add_batch_ms;
  std::vector<aisafe::util::Digest> ids;
  ids.reserve(flags.records);
  const int64_t pressure0 = CpuPressureUs();
  const auto start = Clock::now();
  auto last_progress = start;
  uint64_t batch_no = 0;
  std::vector<aisafe::store::StoredRecord> batch;
  std::vector<aisafe::search::IndexDoc> docs;
  for (uint64_t first = 0; first < flags.records; first += flags.batch, ++batch_no) {
    const uint64_t n = std::min<uint64_t>(flags.batch, flags.records - first);
    auto g0 = Clock::now();
    batch.clear();
    for (uint64_t i = 0; i < n; ++i) {
      batch.push_back(gen.Make(first + i, &stats));
      ids.push_back(batch.back().id);
    }
    auto t0 = Clock::now();
    double c0 = CpuSeconds();
    docs.clear();
    for (const auto& r : batch) {
      auto d = aisafe::search::MakeIndexDoc(r);
      if (!d.ok()) Die("MakeIndexDoc: " + d.status().ToString());
      docs.push_back(std::move(*d));
    }
    auto t1 = Clock::now();
    if (auto s = index.Add(docs, {batch.back().log_index + 1, batch.back().id}); !s.ok()) {
      Die("Add: " + s.ToString());
    }
    auto t2 = Clock::now();
    cpu_index_s += CpuSeconds() - c0;
    const double c2 = CpuSeconds();
    fts.Begin();
    for (const auto& d : docs) fts.Insert(d);
    fts.Commit();
    auto t3 = Clock::now();
    cpu_fts_s += CpuSeconds() - c2;
    gen_s += Seconds(t0 - g0);
    make_doc_s += Seconds(t1 - t0);
    add_s += Seconds(t2 - t1);
    fts_s += Seconds(t3 - t2);
    add_batch_ms.push_back(Ms(t2 - t1));
    if (batch_no % kAnalysisEvery == 0) {
      sample.records += n;
      sample.make_doc_s += Seconds(t1 - t0);
      sample.add_s += Seconds(t2 - t1);
      SampleAnalysis(docs, &sample);
    }
    if (Clock::now() - last_progress > std::chrono::seconds(10) || first + n == flags.records) {
      std::fprintf(stderr,
                   "indexed %" PRIu64 "/%" PRIu64 " records, %.0f s (aisafe %.0f/s, fts5 %.0f/s; last Add %.0f ms)\n",
                   first + n, flags.records, Seconds(Clock::now() - start),
                   static_cast<double>(first + n) / (make_doc_s + add_s), static_cast<double>(first + n) / fts_s,
                   add_batch_ms.back());
      last_progress = Clock::now();
    }
  }
  const int64_t pressure1 = CpuPressureUs();
  const double index_wall = Seconds(Clock::now() - start);
  fts.Checkpoint();

  // The generated records are valid records: the first ones through
  // records::MakeRecord give the same bytes and id.
  size_t valid = 0;
  std::string invalid_example;
  for (size_t i = 0; i < gen.ToValidate().size(); ++i) {
    auto rec = aisafe::records::MakeRecord(gen.ToValidate()[i]);
    if (rec.ok() && rec->id == ids[i]) {
      ++valid;
    } else if (invalid_example.empty()) {
      invalid_example = rec.ok() ? "different canonical bytes" : rec.status().ToString();
    }
  }

  auto doc_count = index.DocCount();
  auto xapian_bytes = index.SizeBytes();
  if (!doc_count.ok() || *doc_count != flags.records) Die("the index does not hold every record");
  if (!xapian_bytes.ok()) Die("xapian size: " + xapian_bytes.status().ToString());
  const uint64_t fts_file = std::filesystem::file_size(dir + "/fts5.db", ec);
  const int64_t fts_tables = fts.FtsTableBytes();
  const double nrec = static_cast<double>(flags.records);

  std::printf("\ngenerated %" PRIu64
              " records in %.1f s (not timed): %.1f MB canonical (mean %.0f B), "
              "text (title+summary+description) mean %.0f B\n",
              stats.records, gen_s, static_cast<double>(stats.canonical_bytes) / 1e6,
              static_cast<double>(stats.canonical_bytes) / nrec, static_cast<double>(stats.text_bytes) / nrec);
  std::printf("  types incident %" PRIu64 ", practice %" PRIu64 ", system %" PRIu64 "; tlp clear %" PRIu64
              ", green %" PRIu64 ", amber %" PRIu64 ", amber+strict %" PRIu64 ", red %" PRIu64 "\n",
              stats.per_type[0], stats.per_type[1], stats.per_type[2], stats.per_tlp[0], stats.per_tlp[1],
              stats.per_tlp[2], stats.per_tlp[3], stats.per_tlp[4]);
  std::printf("  valid records: %zu of the first %zu give the same id through records::MakeRecord%s%s\n", valid,
              gen.ToValidate().size(), invalid_example.empty() ? "" : "; first failure: ", invalid_example.c_str());

  const double aisafe_rate = nrec / (make_doc_s + add_s);
  const double fts_rate = nrec / fts_s;
  std::printf(
      "\nindexing, one thread, batches of %zu (wall %.1f s incl. generation and FTS5; CPU pressure %.0f %%)\n",
      flags.batch, index_wall,
      pressure0 >= 0 && pressure1 >= 0 ? 100.0 * static_cast<double>(pressure1 - pressure0) / 1e6 / index_wall : -1.0);
  std::printf(
      "  aisafe MakeIndexDoc + Add   %8.1f s  %8.0f records/s  (CPU %.1f s: %.2f cores; %.0f records per CPU second)\n",
      make_doc_s + add_s, aisafe_rate, cpu_index_s, cpu_index_s / (make_doc_s + add_s), nrec / cpu_index_s);
  std::printf("    MakeIndexDoc              %8.1f s  %8.1f us/record\n", make_doc_s, 1e6 * make_doc_s / nrec);
  std::printf(
      "    Index::Add                %8.1f s  %8.1f us/record  %8.0f records/s; batch p50 %.0f ms, p99 %.0f ms\n",
      add_s, 1e6 * add_s / nrec, nrec / add_s, Percentile(add_batch_ms, 0.5), Percentile(add_batch_ms, 0.99));
  {
    // Does a batch cost more as the index grows? Median Add per tenth of the run.
    std::printf("    Add per batch, median by tenth of the run (ms):");
    const size_t tenth = std::max<size_t>(1, add_batch_ms.size() / 10);
    for (size_t b = 0; b + tenth <= add_batch_ms.size(); b += tenth) {
      std::printf(" %.0f", Percentile(std::vector<double>(add_batch_ms.begin() + static_cast<long>(b),
                                                          add_batch_ms.begin() + static_cast<long>(b + tenth)),
                                      0.5));
    }
    std::printf("\n");
  }
  if (sample.records > 0) {
    const double sr = static_cast<double>(sample.records);
    std::printf("    split of Add on %" PRIu64 " sampled records (%.1f words/record), per record:\n", sample.records,
                static_cast<double>(sample.words) / sr);
    std::printf("      segmentation + normalisation (ForEachWord)  %6.1f us  (%4.1f %% of Add)\n",
                1e6 * sample.segment_s / sr, 100 * sample.segment_s / sample.add_s);
    std::printf("      stems + diacritic folding                   %6.1f us  (%4.1f %% of Add)\n",
                1e6 * (sample.analyse_s - sample.segment_s) / sr,
                100 * (sample.analyse_s - sample.segment_s) / sample.add_s);
    std::printf("      Xapian (documents, postings, commit): rest  %6.1f us  (%4.1f %% of Add)\n",
                1e6 * (sample.add_s - sample.analyse_s) / sr, 100 * (sample.add_s - sample.analyse_s) / sample.add_s);
  }
  std::printf("  FTS5 insert (text given)    %8.1f s  %8.0f records/s  (CPU %.1f s: %.0f records per CPU second)\n",
              fts_s, fts_rate, cpu_fts_s, nrec / cpu_fts_s);
  std::printf("  aisafe / FTS5 rate          %8.2f  (Add alone / FTS5: %.2f)\n", aisafe_rate / fts_rate,
              (nrec / add_s) / fts_rate);
  std::printf("index size\n");
  std::printf("  aisafe (Xapian glass)       %8.1f MB  %6.0f B/record\n", static_cast<double>(*xapian_bytes) / 1e6,
              static_cast<double>(*xapian_bytes) / nrec);
  std::printf(
      "  FTS5 database file          %8.1f MB  %6.0f B/record (FTS5 tables alone: %.0f B/record, "
      "incl. its copy of the text)\n",
      static_cast<double>(fts_file) / 1e6, static_cast<double>(fts_file) / nrec,
      fts_tables >= 0 ? static_cast<double>(fts_tables) / nrec : -1.0);
  std::printf("  aisafe / FTS5 file          %8.2f\n",
              static_cast<double>(*xapian_bytes) / static_cast<double>(fts_file));
  {
    // How much of the index is free space left by its many small commits
    // (glass copies every block it changes): the same index compacted, as
    // xapian-compact would. Not what a node holds; the node never compacts.
    const std::string compact_dir = dir + "/xapian-compacted";
    std::filesystem::remove_all(compact_dir, ec);
    auto c0 = Clock::now();
    try {
      Xapian::Database(dir + "/xapian").compact(compact_dir);
      uint64_t bytes = 0;
      for (const auto& e : std::filesystem::directory_iterator(compact_dir, ec)) bytes += e.file_size(ec);
      std::printf(
          "  aisafe compacted (for scale) %7.1f MB  %6.0f B/record (xapian compact took %.1f s; not used below)\n",
          static_cast<double>(bytes) / 1e6, static_cast<double>(bytes) / nrec, Seconds(Clock::now() - c0));
    } catch (const Xapian::Error& e) {
      std::printf("  aisafe compacted: %s\n", e.get_description().c_str());
    }
    std::filesystem::remove_all(compact_dir, ec);
  }
  std::fflush(stdout);

  // 4. Queries.
  std::vector<Query> queries = MakeQueries(langs, flags.queries, flags.seed);
  std::printf("\nqueries: %zu, e.g.", queries.size());
  for (size_t i = 0; i < std::min<size_t>(queries.size(), 6); ++i) {
    std::printf(" [%s %s=%s: %s]", queries[i].lang.c_str(), FilterName(queries[i].filter), queries[i].value.c_str(),
                queries[i].q.c_str());
  }
  std::printf("\n");
  for (FilterKind k : kFilterKinds) std::printf("  FTS5 plan (%s): %s\n", FilterName(k), fts.Plan(k).c_str());

  std::vector<std::vector<aisafe::util::Digest>> aisafe_top(queries.size());
  auto run_aisafe = [&](bool facets, size_t count) {
    Latencies lat;
    auto w0 = Clock::now();
    for (size_t i = 0; i < count; ++i) {
      const Query& q = queries[i];
      auto req = Request(q.q, q.lang, q.filter, q.value, visible);
      req.facets = facets;
      const double c0 = ThreadCpuMs();
      auto t0 = Clock::now();
      auto res = index.Search(req);
      auto t1 = Clock::now();
      lat.cpu_ms.push_back(ThreadCpuMs() - c0);
      lat.ms.push_back(Ms(t1 - t0));
      lat.kind.push_back(q.filter);
      lat.unspaced.push_back(q.unspaced);
      if (!res.ok()) {
        if (lat.errors++ == 0) lat.first_error = res.status().ToString();
        continue;
      }
      lat.hits += res->hits.size();
      lat.total.push_back(static_cast<double>(res->total));
      if (res->hits.empty()) ++lat.empty;
      if (facets) continue;
      aisafe_top[i].clear();
      for (const auto& h : res->hits) aisafe_top[i].push_back(h.id);
    }
    lat.wall_s = Seconds(Clock::now() - w0);
    return lat;
  };
  std::vector<std::vector<uint64_t>> fts_top(queries.size());
  auto run_fts = [&](size_t count) {
    Latencies lat;
    auto w0 = Clock::now();
    for (size_t i = 0; i < count; ++i) {
      const Query& q = queries[i];
      std::string error;
      const double c0 = ThreadCpuMs();
      auto t0 = Clock::now();
      std::string match = ToFts5(q.q);
      bool ok = fts.Search(match, q.filter, q.value, kLimit, &fts_top[i], &error);
      auto t1 = Clock::now();
      lat.cpu_ms.push_back(ThreadCpuMs() - c0);
      lat.ms.push_back(Ms(t1 - t0));
      lat.kind.push_back(q.filter);
      lat.unspaced.push_back(q.unspaced);
      if (!ok) {
        if (lat.errors++ == 0) lat.first_error = error;
        continue;
      }
      lat.hits += fts_top[i].size();
      if (fts_top[i].empty()) ++lat.empty;
    }
    lat.wall_s = Seconds(Clock::now() - w0);
    return lat;
  };

  const size_t warmup = std::min<size_t>(queries.size(), kWarmupQueries);
  std::fprintf(stderr, "queries: aisafe, warm-up\n");
  Latencies a_first = run_aisafe(false, warmup);
  std::fprintf(stderr, "queries: aisafe, measured pass\n");
  const int64_t qp0 = CpuPressureUs();
  const auto qw0 = Clock::now();
  Latencies a_lat = run_aisafe(false, queries.size());
  const double q_pressure =
      qp0 >= 0 ? 100.0 * static_cast<double>(CpuPressureUs() - qp0) / 1e6 / Seconds(Clock::now() - qw0) : -1;
  std::fprintf(stderr, "queries: FTS5, warm-up\n");
  Latencies f_first = run_fts(warmup);
  std::fprintf(stderr, "queries: FTS5, measured pass\n");
  Latencies f_lat = run_fts(queries.size());
  const size_t facet_count = std::min<size_t>(queries.size(), flags.facet_queries.value_or(kFacetQueries));
  std::fprintf(stderr, "queries: aisafe with facets\n");
  Latencies a_facets = run_aisafe(true, facet_count);

  // How much the two engines' top 10s agree (same records).
  double overlap = 0;
  size_t overlap_n = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    std::set<aisafe::util::Digest> a(aisafe_top[i].begin(), aisafe_top[i].end());
    size_t both = 0;
    for (uint64_t r : fts_top[i]) both += a.count(ids.at(r));
    size_t denom = std::max(a.size(), fts_top[i].size());
    if (denom == 0) continue;
    overlap += static_cast<double>(both) / static_cast<double>(denom);
    ++overlap_n;
  }

  std::printf(
      "\nquery latency, one thread, limit %zu, filter on every query, visible = analyst "
      "(CPU pressure during the measured aisafe pass %.0f %%)\n",
      kLimit, q_pressure);
  a_first.Print("aisafe, warm-up (first queries)");
  a_lat.Print("aisafe (measure), facets off");
  a_lat.PrintSplit();
  a_lat.PrintByMatches();
  a_facets.Print("aisafe, facets on");
  f_first.Print("FTS5 (words ORed), warm-up");
  f_lat.Print("FTS5 (words ORed) (measure)");
  f_lat.PrintSplit();
  std::printf("  aisafe / FTS5 median %.2f, p99 %.2f; top-10 overlap between the engines %.0f %% (%zu queries)\n",
              Percentile(a_lat.ms, 0.5) / std::max(1e-9, Percentile(f_lat.ms, 0.5)),
              Percentile(a_lat.ms, 0.99) / std::max(1e-9, Percentile(f_lat.ms, 0.99)),
              overlap_n ? 100 * overlap / static_cast<double>(overlap_n) : 0.0, overlap_n);
  std::fflush(stdout);

  // 5. Relevance.
  RunRelevance(dir, corpus_lines, queries_text, visible);

  const double median = Percentile(a_lat.ms, 0.5), p99 = Percentile(a_lat.ms, 0.99);
  std::printf("\npeak RSS %.1f MB\n", PeakRssMb());
  std::printf("targets (%" PRIu64 " records):\n", flags.records);
  std::printf("  indexing >= %.0f records/s on one core    %10.0f  %s\n", kTargetIndexRate, aisafe_rate,
              Verdict(aisafe_rate >= kTargetIndexRate));
  std::printf("  query median < %.0f ms (filtered)          %10.2f  %s\n", kTargetMedianMs, median,
              Verdict(median < kTargetMedianMs));
  std::printf("  query p99 < %.0f ms (filtered)            %10.2f  %s\n", kTargetP99Ms, p99,
              Verdict(p99 < kTargetP99Ms));

  if (remove_dir) std::filesystem::remove_all(dir, ec);
  return 0;
}
