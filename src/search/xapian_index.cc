#include "search/xapian_index.h"

#include <sys/stat.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "nlohmann/json.hpp"
#include "search/query.h"
#include "search/snippet.h"
#include "text/analyzer.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::search {
namespace {

// docs/formats/search-index.md. Bump when terms or values change meaning;
// an index of another version is rebuilt.
constexpr std::string_view kFormat = "2";
constexpr const char* kFormatKey = "aisafe.format";
constexpr const char* kMarkKey = "aisafe.mark";

// Term prefixes. Free-text terms carry none: they are casefolded, so they
// never start with an ASCII capital, which Xapian reserves for prefixes.
constexpr std::string_view kStem = "Z";
constexpr std::string_view kFolded = "F";
constexpr std::string_view kId = "Q";
constexpr std::string_view kType = "XT";
constexpr std::string_view kTlp = "XM";
constexpr std::string_view kOrigin = "XO";
constexpr std::string_view kCountry = "XC";
constexpr std::string_view kLang = "XL";
constexpr std::string_view kHarm = "XH";
constexpr std::string_view kAudience = "XA";
constexpr std::string_view kVisibleTo = "XV";

// The roles whose visibility a document records as XV<role> terms: every
// distinct auth::VisibleTo (analyst and admin see the same).
constexpr auth::Role kVisibilityRoles[] = {auth::Role::kPublic, auth::Role::kContributor, auth::Role::kAnalyst};

bool SameVisibleSet(const auth::VisibleSet& a, const auth::VisibleSet& b) {
  return a.markings == b.markings && a.red_of_own_origin == b.red_of_own_origin;
}

enum Slot : Xapian::valueno {
  kCreatedSlot = 0,
  kTypeSlot,
  kTlpSlot,
  kOriginSlot,
  kCountriesSlot,
  kLangSlot,
  kHarmsSlot
};

// Xapian's limit is 245 bytes a term; longer "words" are noise (base64, ...).
constexpr size_t kMaxTermBytes = 120;
// Positions between fields, so a phrase never spans two.
constexpr Xapian::termpos kFieldGap = 100;
constexpr Xapian::termcount kTitleWdf = 3;
// Words of a query after segmentation (ParseQuery bounds the typed words).
constexpr size_t kMaxAnalysedTerms = 256;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Term(std::string_view prefix, std::string_view value) { return util::StrCat(prefix, value); }

std::string JoinLines(const std::vector<std::string>& values) { return util::StrJoin(values, "\n"); }

absl::Status FromXapian(const Xapian::Error& e) {
  return absl::InternalError(util::StrCat("search index: ", e.get_description()));
}

// Counts matching documents, and by facet when asked. Xapian shows a spy
// each matching document it considers; with check_at_least it considers
// every match up to that many, so the counts are exact below it.
class CountingSpy : public Xapian::MatchSpy {
 public:
  explicit CountingSpy(bool facets) : facets_(facets) {}
  void operator()(const Xapian::Document& doc, double) override {
    ++count_;
    if (!facets_) return;
    Count("type", doc.get_value(kTypeSlot), false);
    Count("tlp", doc.get_value(kTlpSlot), false);
    Count("origin", doc.get_value(kOriginSlot), false);
    Count("country", doc.get_value(kCountriesSlot), true);
    Count("lang", doc.get_value(kLangSlot), false);
    Count("harm", doc.get_value(kHarmsSlot), true);
  }
  uint64_t Seen() const { return count_; }
  std::map<std::string, std::map<std::string, uint64_t>>& Facets() { return counts_; }

 private:
  void Count(const char* facet, const std::string& value, bool list) {
    auto& m = counts_[facet];
    if (!list) {
      if (!value.empty()) ++m[value];
      return;
    }
    size_t pos = 0;
    while (pos < value.size()) {
      size_t nl = value.find('\n', pos);
      if (nl == std::string::npos) nl = value.size();
      if (nl > pos) ++m[value.substr(pos, nl - pos)];
      pos = nl + 1;
    }
  }
  bool facets_;
  uint64_t count_ = 0;
  std::map<std::string, std::map<std::string, uint64_t>> counts_;
};

// What a query matches, for highlighting.
struct Highlight {
  std::set<std::string> exact, folded, stems, prefixes;
};

struct Build {
  const SearchRequest& req;
  std::vector<text::Analyzer> stemmers;  // The asker's language, and filtered languages.
  Highlight highlight;
  size_t terms = 0;

  std::vector<std::string> Words(std::string_view text) {
    std::vector<std::string> out;
    text::ForEachWord(text, [&](const text::Word& w) {
      if (w.term.size() <= kMaxTermBytes) out.emplace_back(w.term);
    });
    return out;
  }

  Xapian::Query WordQuery(const std::string& term, bool positive) {
    ++terms;
    std::vector<Xapian::Query> alts{Xapian::Query(term)};
    if (positive) highlight.exact.insert(term);
    for (const text::Analyzer& a : stemmers) {
      std::string stem = a.Stem(term);
      if (stem.empty()) continue;
      alts.push_back(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(Term(kStem, stem)), 0.5));
      if (positive) highlight.stems.insert(stem);
      // The word may itself be the root the text's forms stem to: Snowball's
      // Indonesian stems "mendiskriminasi" to "diskriminasi" but
      // "diskriminasi" to "skriminasi".
      if (stem != term) {
        alts.push_back(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(Term(kStem, term)), 0.4));
        if (positive) highlight.stems.insert(term);
      }
    }
    if (req.fold_diacritics) {
      std::string f = text::FoldDiacritics(term);
      // Exact matches rank first: a folded match scores less.
      alts.push_back(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(Term(kFolded, f)), 0.5));
      if (f != term) alts.push_back(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(f), 0.5));
      if (positive) highlight.folded.insert(f);
    }
    return Xapian::Query(Xapian::Query::OP_OR, alts.begin(), alts.end());
  }

  // One position of a phrase: the word, or (folding) any word that folds
  // to the same.
  Xapian::Query PhraseTerm(const std::string& term, bool positive) {
    ++terms;
    if (positive) highlight.exact.insert(term);
    if (!req.fold_diacritics) return Xapian::Query(term);
    std::string f = text::FoldDiacritics(term);
    if (positive) highlight.folded.insert(f);
    std::vector<Xapian::Query> alts{Xapian::Query(term), Xapian::Query(Term(kFolded, f))};
    if (f != term) alts.push_back(Xapian::Query(f));
    // OP_OR: Xapian 1.4's phrases take terms or ORs of terms, not synonyms.
    return Xapian::Query(Xapian::Query::OP_OR, alts.begin(), alts.end());
  }

  Xapian::Query Phrase(const std::vector<std::string>& words, bool positive) {
    std::vector<Xapian::Query> parts;
    for (const std::string& w : words) parts.push_back(PhraseTerm(w, positive));
    if (parts.size() == 1) return parts.front();
    return Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), parts.size());
  }

  Xapian::Query::op DefaultOp() const { return req.match_all_words ? Xapian::Query::OP_AND : Xapian::Query::OP_OR; }

  Xapian::Query Node(const QueryNode& n, bool positive) {
    switch (n.kind) {
      case QueryNode::Kind::kAll:
        return Xapian::Query::MatchAll;
      case QueryNode::Kind::kWord: {
        std::vector<std::string> words = Words(n.text);
        if (words.empty()) return Xapian::Query();
        if (words.size() == 1) return WordQuery(words.front(), positive);
        // One typed word that is several words of the language (Thai
        // written without spaces, "AI-generated"): the words in order rank
        // first, then the words anywhere.
        std::vector<Xapian::Query> each;
        for (const std::string& w : words) each.push_back(WordQuery(w, positive));
        Xapian::Query loose(DefaultOp(), each.begin(), each.end());
        return Xapian::Query(Xapian::Query::OP_OR, Phrase(words, false), loose);
      }
      case QueryNode::Kind::kPhrase: {
        std::vector<std::string> words = Words(n.text);
        if (words.empty()) return Xapian::Query();
        return Phrase(words, positive);
      }
      case QueryNode::Kind::kPrefix: {
        std::vector<std::string> words = Words(n.text);
        if (words.empty()) return Xapian::Query();
        std::string prefix = words.back();
        words.pop_back();
        ++terms;
        if (positive) highlight.prefixes.insert(prefix);
        std::vector<Xapian::Query> alts{Wildcard(prefix)};
        if (req.fold_diacritics) {
          std::string f = text::FoldDiacritics(prefix);
          alts.push_back(Wildcard(Term(kFolded, f)));
          if (f != prefix) alts.push_back(Wildcard(f));
          if (positive) highlight.prefixes.insert(f);
        }
        Xapian::Query last(Xapian::Query::OP_OR, alts.begin(), alts.end());
        if (words.empty()) return last;
        std::vector<Xapian::Query> all;
        for (const std::string& w : words) all.push_back(WordQuery(w, positive));
        all.push_back(last);
        return Xapian::Query(Xapian::Query::OP_AND, all.begin(), all.end());
      }
      case QueryNode::Kind::kNot:
        return Xapian::Query(Xapian::Query::OP_AND_NOT, Node(n.children[0], positive), Node(n.children[1], !positive));
      case QueryNode::Kind::kOr: {
        std::vector<Xapian::Query> parts;
        for (const QueryNode& c : n.children) parts.push_back(Node(c, positive));
        return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
      }
      case QueryNode::Kind::kDefault:
      case QueryNode::Kind::kAnd: {
        // Exclusions apply to the rest: a b -c is (a b) AND_NOT c.
        std::vector<Xapian::Query> include, exclude;
        for (const QueryNode& c : n.children) {
          if (c.kind == QueryNode::Kind::kNot && c.children[0].kind == QueryNode::Kind::kAll) {
            exclude.push_back(Node(c.children[1], !positive));
          } else {
            include.push_back(Node(c, positive));
          }
        }
        Xapian::Query::op op = n.kind == QueryNode::Kind::kAnd ? Xapian::Query::OP_AND : DefaultOp();
        Xapian::Query in =
            include.empty() ? Xapian::Query::MatchAll : Xapian::Query(op, include.begin(), include.end());
        if (exclude.empty()) return in;
        return Xapian::Query(Xapian::Query::OP_AND_NOT, in,
                             Xapian::Query(Xapian::Query::OP_OR, exclude.begin(), exclude.end()));
      }
    }
    return Xapian::Query();
  }

  static Xapian::Query Wildcard(const std::string& prefix) {
    return Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, 256, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
  }
};

Xapian::Query AnyOf(std::string_view prefix, const std::vector<std::string>& values, bool lower) {
  std::vector<Xapian::Query> terms;
  for (const std::string& v : values) terms.emplace_back(Term(prefix, lower ? Lower(v) : v));
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

// The asker's visibility as a filter: auth::VisibleTo translated to terms;
// one term when the set is a role's on the index's own node.
Xapian::Query VisibilityFilter(const SearchRequest& req, const std::string& index_node) {
  if (!index_node.empty() && req.node_name == index_node) {
    for (auth::Role role : kVisibilityRoles) {
      if (SameVisibleSet(req.visible, auth::VisibleTo(auth::Caller{"", role}))) {
        return Xapian::Query(Term(kVisibleTo, auth::RoleName(role)));
      }
    }
  }
  std::vector<Xapian::Query> any;
  for (records::Tlp tlp : req.visible.markings) any.emplace_back(Term(kTlp, records::TlpName(tlp)));
  if (req.visible.red_of_own_origin) {
    any.push_back(Xapian::Query(Xapian::Query::OP_AND, Xapian::Query(Term(kTlp, "red")),
                                Xapian::Query(Term(kOrigin, req.node_name))));
  }
  if (any.empty()) return Xapian::Query::MatchNothing;
  return Xapian::Query(Xapian::Query::OP_OR, any.begin(), any.end());
}

Xapian::Query Filter(const SearchRequest& req, const std::string& index_node) {
  const Filters& f = req.filters;
  std::vector<Xapian::Query> all{VisibilityFilter(req, index_node)};
  if (!f.types.empty()) all.push_back(AnyOf(kType, f.types, false));
  if (!f.tlps.empty()) all.push_back(AnyOf(kTlp, f.tlps, true));
  if (!f.origins.empty()) all.push_back(AnyOf(kOrigin, f.origins, false));
  if (!f.countries.empty()) all.push_back(AnyOf(kCountry, f.countries, false));
  if (!f.langs.empty()) all.push_back(AnyOf(kLang, f.langs, true));
  if (!f.harms.empty()) all.push_back(AnyOf(kHarm, f.harms, false));
  if (f.from_us || f.to_us) {
    std::string lo = Xapian::sortable_serialise(static_cast<double>(f.from_us.value_or(INT64_MIN)));
    std::string hi = Xapian::sortable_serialise(static_cast<double>(f.to_us.value_or(INT64_MAX)));
    all.push_back(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, kCreatedSlot, lo, hi));
  }
  return Xapian::Query(Xapian::Query::OP_AND, all.begin(), all.end());
}

std::string EncodeMark(const IndexMark& m) { return util::StrCat(m.size, ":", util::ToHex(m.last_id)); }

std::optional<IndexMark> DecodeMark(const std::string& text) {
  if (text.empty()) return IndexMark{};
  size_t colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  IndexMark m;
  try {
    m.size = std::stoull(text.substr(0, colon));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  auto id = util::DigestFromHex(text.substr(colon + 1));
  if (!id) return std::nullopt;
  m.last_id = *id;
  return m;
}

Xapian::Document MakeDocument(const IndexDoc& doc, const std::string& node_name,
                              std::map<std::string, text::Analyzer>* analyzers) {
  Xapian::Document d;
  std::string primary = text::PrimaryLanguage(doc.lang);
  auto it = analyzers->find(primary);
  if (it == analyzers->end()) it = analyzers->emplace(primary, text::Analyzer(primary)).first;
  const text::Analyzer& analyzer = it->second;
  Xapian::termpos pos = 1;
  auto index_text = [&](std::string_view text, Xapian::termcount wdf) {
    text::ForEachWord(text, [&](const text::Word& w) {
      if (w.term.size() > kMaxTermBytes) return;
      std::string term(w.term);
      d.add_posting(term, pos, wdf);
      if (analyzer.HasStemmer()) d.add_term(Term(kStem, analyzer.Stem(term)), wdf);
      std::string f = text::FoldDiacritics(term);
      if (f != term) d.add_posting(Term(kFolded, f), pos, wdf);
      ++pos;
    });
    pos += kFieldGap;
  };
  index_text(doc.title, kTitleWdf);
  for (const std::string& f : doc.fields) index_text(f, 1);

  std::string id_hex = util::ToHex(doc.id);
  d.add_boolean_term(Term(kId, id_hex));
  d.add_boolean_term(Term(kType, doc.type));
  d.add_boolean_term(Term(kTlp, doc.tlp));
  d.add_boolean_term(Term(kOrigin, doc.origin));
  d.add_boolean_term(Term(kLang, Lower(doc.lang)));
  if (Lower(doc.lang) != primary) d.add_boolean_term(Term(kLang, primary));
  for (const std::string& c : doc.countries) d.add_boolean_term(Term(kCountry, c));
  for (const std::string& h : doc.harms) d.add_boolean_term(Term(kHarm, h));
  for (const std::string& a : doc.audience) d.add_boolean_term(Term(kAudience, a));
  if (auto tlp = records::ParseTlp(doc.tlp); tlp && !node_name.empty()) {
    for (auth::Role role : kVisibilityRoles) {
      if (auth::Contains(auth::VisibleTo(auth::Caller{"", role}), *tlp, doc.origin, node_name)) {
        d.add_boolean_term(Term(kVisibleTo, auth::RoleName(role)));
      }
    }
  }

  d.add_value(kCreatedSlot, Xapian::sortable_serialise(static_cast<double>(doc.created_us)));
  d.add_value(kTypeSlot, doc.type);
  d.add_value(kTlpSlot, doc.tlp);
  d.add_value(kOriginSlot, doc.origin);
  d.add_value(kCountriesSlot, JoinLines(doc.countries));
  d.add_value(kLangSlot, doc.lang);
  d.add_value(kHarmsSlot, JoinLines(doc.harms));

  nlohmann::json data = {{"id", id_hex},       {"type", doc.type},           {"origin", doc.origin},
                         {"tlp", doc.tlp},     {"lang", doc.lang},           {"created", doc.created},
                         {"title", doc.title}, {"countries", doc.countries}, {"excerpt", doc.excerpt}};
  d.set_data(data.dump());
  return d;
}

ino_t DirInode(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

class XapianIndex final : public Index {
 public:
  XapianIndex(std::string dir, std::string node_name) : dir_(std::move(dir)), node_name_(std::move(node_name)) {}

  absl::StatusOr<IndexMark> Mark() const override {
    return WithReader([&](Xapian::Database& db) -> absl::StatusOr<IndexMark> {
      auto mark = DecodeMark(db.get_metadata(kMarkKey));
      if (!mark) return absl::DataLossError("search index: its mark is unreadable; run aisafe reindex");
      return *mark;
    });
  }

  absl::Status Add(std::span<const IndexDoc> docs, const IndexMark& mark) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    try {
      Xapian::WritableDatabase db(dir_, Xapian::DB_CREATE_OR_OPEN | Xapian::DB_NO_SYNC | Xapian::DB_RETRY_LOCK);
      std::map<std::string, text::Analyzer> analyzers;
      for (const IndexDoc& doc : docs) {
        if (doc.log_index >= 0xFFFFFFFEu) {
          return absl::ResourceExhaustedError("search index: Xapian document ids end at 2^32");
        }
        db.replace_document(static_cast<Xapian::docid>(doc.log_index + 1), MakeDocument(doc, node_name_, &analyzers));
      }
      db.set_metadata(kMarkKey, EncodeMark(mark));
      db.commit();  // Documents and mark in one revision.
      return absl::OkStatus();
    } catch (const Xapian::Error& e) {
      return FromXapian(e);
    }
  }

  absl::Status Clear() override {
    std::lock_guard<std::mutex> lock(write_mu_);
    // A new directory swapped in, not DB_CREATE_OR_OVERWRITE: that restarts
    // Xapian's revision numbers, and a reader opened before could then
    // take the new revision for its own and keep reading the old tables.
    // Readers notice the new directory (inode) and this process's
    // generation.
    std::string fresh = util::StrCat(dir_, ".fresh");
    std::error_code ec;
    std::filesystem::remove_all(fresh, ec);
    try {
      Xapian::WritableDatabase db(fresh, Xapian::DB_CREATE | Xapian::DB_NO_SYNC);
      db.set_metadata(kFormatKey, std::string(kFormat));
      db.set_metadata(kMarkKey, "");
      db.commit();
    } catch (const Xapian::Error& e) {
      return FromXapian(e);
    }
    if (auto st = util::ReplaceDirectory(fresh, dir_); !st.ok()) return st;
    ++generation_;
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> DocCount() const override {
    return WithReader([](Xapian::Database& db) -> absl::StatusOr<uint64_t> { return db.get_doccount(); });
  }

  absl::StatusOr<uint64_t> SizeBytes() const override {
    std::error_code ec;
    uint64_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    }
    if (ec) return absl::InternalError(util::StrCat("search index: ", ec.message()));
    return total;
  }

  absl::StatusOr<SearchResult> Search(const SearchRequest& req) const override {
    if (req.limit < 1 || req.limit > kMaxLimit) {
      return absl::InvalidArgumentError(util::StrCat("limit: must be between 1 and ", kMaxLimit));
    }
    if (req.offset + req.limit > kMaxWindow) {
      return absl::InvalidArgumentError(util::StrCat("offset: offset + limit may be at most ", kMaxWindow));
    }
    auto parsed = ParseQuery(req.q);
    if (!parsed.ok()) return parsed.status();
    Build build{req, {}, {}, 0};
    std::set<std::string> seen;
    auto add_stemmer = [&](std::string_view lang) {
      text::Analyzer a(lang);
      if (a.HasStemmer() && seen.insert(a.StemmerName()).second) build.stemmers.push_back(std::move(a));
    };
    if (!req.query_lang.empty()) add_stemmer(req.query_lang);
    for (const std::string& l : req.filters.langs) add_stemmer(l);
    bool browse = parsed->kind == QueryNode::Kind::kAll;
    Xapian::Query query;
    try {
      Xapian::Query text = build.Node(*parsed, true);
      if (!browse && build.terms == 0) {
        return absl::InvalidArgumentError("q: has no words to search for (only punctuation or symbols)");
      }
      // One typed word of Thai can be many words of the language.
      if (build.terms > kMaxAnalysedTerms) {
        return absl::InvalidArgumentError(util::StrCat("q: ", build.terms, " words once segmented; at most ",
                                                       kMaxAnalysedTerms, " (shorten the query)"));
      }
      query = Xapian::Query(Xapian::Query::OP_FILTER, text, Filter(req, node_name_));
    } catch (const Xapian::Error& e) {
      return FromXapian(e);
    }
    return WithReader([&](Xapian::Database& db) -> absl::StatusOr<SearchResult> {
      Xapian::Enquire enquire(db);
      enquire.set_query(query);
      if (browse) {
        enquire.set_weighting_scheme(Xapian::BoolWeight());
        enquire.set_sort_by_value_then_relevance(kCreatedSlot, true);
      } else {
        enquire.set_weighting_scheme(Xapian::BM25Weight());
      }
      CountingSpy spy(req.facets);
      enquire.add_matchspy(&spy);
      Xapian::doccount check = req.facets ? std::max<Xapian::doccount>(db.get_doccount(), 1)
                                          : static_cast<Xapian::doccount>(kExactTotalUpTo + 1);
      Xapian::MSet mset =
          enquire.get_mset(static_cast<Xapian::doccount>(req.offset), static_cast<Xapian::doccount>(req.limit), check);
      SearchResult result;
      if (spy.Seen() > kExactTotalUpTo && !req.facets) {
        result.total = kExactTotalUpTo;
        result.total_exact = false;
      } else {
        result.total = spy.Seen();
      }
      if (req.facets) result.facets = std::move(spy.Facets());
      std::map<std::string, text::Analyzer> analyzers;
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        nlohmann::json data = nlohmann::json::parse(it.get_document().get_data(), nullptr, false);
        if (!data.is_object()) return absl::DataLossError("search index: a document's data is unreadable");
        Hit hit;
        auto id = util::DigestFromHex(data.value("id", ""));
        if (!id) return absl::DataLossError("search index: a document's id is unreadable");
        hit.id = *id;
        hit.type = data.value("type", "");
        hit.origin = data.value("origin", "");
        hit.tlp = data.value("tlp", "");
        hit.lang = data.value("lang", "");
        hit.created = data.value("created", "");
        hit.title = data.value("title", "");
        hit.countries = data.value("countries", std::vector<std::string>{});
        std::string primary = text::PrimaryLanguage(hit.lang);
        auto a = analyzers.find(primary);
        if (a == analyzers.end()) a = analyzers.emplace(primary, text::Analyzer(primary)).first;
        const text::Analyzer& doc_analyzer = a->second;
        const Highlight& h = build.highlight;
        auto matches = [&](std::string_view term) {
          std::string t(term);
          if (h.exact.count(t)) return true;
          if (req.fold_diacritics && h.folded.count(text::FoldDiacritics(t))) return true;
          for (const std::string& p : h.prefixes) {
            if (t.compare(0, p.size(), p) == 0) return true;
          }
          if (!h.stems.empty()) {
            if (doc_analyzer.HasStemmer() && h.stems.count(doc_analyzer.Stem(t))) return true;
            for (const text::Analyzer& s : build.stemmers) {
              if (h.stems.count(s.Stem(t))) return true;
            }
          }
          return false;
        };
        Snippet s = MakeSnippet(data.value("excerpt", ""), matches);
        hit.snippet = std::move(s.text);
        hit.snippet_html = std::move(s.html);
        result.hits.push_back(std::move(hit));
      }
      return result;
    });
  }

  // Opens the directory's index, making sure it exists and is ours.
  absl::Status Init() {
    try {
      bool exists = std::filesystem::exists(std::filesystem::path(dir_) / "iamglass");
      if (exists) {
        try {
          Xapian::Database db(dir_);
          if (db.get_metadata(kFormatKey) == kFormat && DecodeMark(db.get_metadata(kMarkKey))) {
            return absl::OkStatus();
          }
        } catch (const Xapian::DatabaseError&) {
          // Corrupt, truncated, unreadable or of another Xapian version.
        }
        // Another version, or torn by a power loss: start again; the
        // indexer refills it from the store.
      }
      return Clear();
    } catch (const Xapian::Error& e) {
      return FromXapian(e);
    }
  }

 private:
  struct Reader {
    std::unique_ptr<Xapian::Database> db;
    ino_t inode = 0;
    uint64_t generation = 0;
  };

  template <typename F>
  auto WithReader(F&& f) const -> decltype(f(std::declval<Xapian::Database&>())) {
    ino_t inode = DirInode(dir_);
    uint64_t generation = generation_.load();
    Reader reader;
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      while (!pool_.empty()) {
        reader = std::move(pool_.back());
        pool_.pop_back();
        if (reader.inode == inode && reader.generation == generation) break;
        reader.db.reset();  // The directory was replaced (Clear, reindex).
      }
    }
    for (int attempt = 0;; ++attempt) {
      try {
        if (reader.db == nullptr) {
          reader.db = std::make_unique<Xapian::Database>(dir_);
          reader.inode = inode;
          reader.generation = generation;
        } else {
          reader.db->reopen();
        }
        auto result = f(*reader.db);
        std::lock_guard<std::mutex> lock(pool_mu_);
        pool_.push_back(std::move(reader));
        return result;
      } catch (const Xapian::DatabaseModifiedError&) {
        // A writer committed twice while we read: read the newest revision.
        if (attempt >= 3) return absl::UnavailableError("search index: changing too fast to read; try again");
        reader.db.reset();
      } catch (const Xapian::Error& e) {
        return FromXapian(e);
      }
    }
  }

  std::string dir_;
  std::string node_name_;
  std::mutex write_mu_;
  std::atomic<uint64_t> generation_{0};  // Bumped by Clear.
  mutable std::mutex pool_mu_;
  mutable std::vector<Reader> pool_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Index>> OpenXapianIndex(const std::string& dir, const std::string& node_name) {
  auto index = std::make_unique<XapianIndex>(dir, node_name);
  if (absl::Status s = index->Init(); !s.ok()) return s;
  return index;
}

}  // namespace aisafe::search
