#include "search/params.h"

#include <charconv>
#include <set>

#include "records/record.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::search {
namespace {

const std::set<std::string, std::less<>>& Types() {
  static const auto* v =
      new std::set<std::string, std::less<>>{"incident", "system", "assessment", "evaluation", "practice", "oversight"};
  return *v;
}

const std::set<std::string, std::less<>>& Harms() {
  static const auto* v = new std::set<std::string, std::less<>>{
      "discrimination-toxicity", "privacy-security",           "misinformation",
      "malicious-use",           "human-computer-interaction", "socioeconomic-environmental",
      "ai-system-safety"};
  return *v;
}

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// BCP 47, loosely: a 2-3 letter primary subtag, then subtags of 1-8
// letters or digits.
bool IsLanguageTag(std::string_view tag) {
  size_t i = 0;
  while (i < tag.size() && IsAlpha(tag[i])) ++i;
  if (i < 2 || i > 3) return false;
  while (i < tag.size()) {
    if (tag[i] != '-') return false;
    size_t start = ++i;
    while (i < tag.size() && IsAlnum(tag[i])) ++i;
    if (i - start < 1 || i - start > 8) return false;
  }
  return true;
}

bool IsNodeName(std::string_view name) {
  if (name.empty() || name.size() > 63 || !IsAlnum(name[0])) return false;
  for (char c : name) {
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

std::vector<std::string_view> SplitCommas(std::string_view value) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    out.push_back(value.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

absl::Status Bad(std::string_view name, std::string_view problem) {
  return absl::InvalidArgumentError(util::StrCat(name, ": ", problem));
}

absl::StatusOr<size_t> Number(std::string_view name, std::string_view value, size_t max) {
  size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n > max) {
    return Bad(name, util::StrCat("\"", value, "\" is not a whole number from 0 to ", max));
  }
  return n;
}

absl::StatusOr<bool> Bool(std::string_view name, std::string_view value) {
  if (value == "true" || value == "1" || value.empty()) return true;
  if (value == "false" || value == "0") return false;
  return Bad(name, util::StrCat("\"", value, "\" is not true or false"));
}

// A date (the whole UTC day) or an RFC 3339 UTC time, in microseconds.
absl::StatusOr<int64_t> Time(std::string_view name, std::string_view value, bool end_of_day) {
  absl::Time t;
  if (util::ParseTimestamp(value, &t)) return absl::ToUnixMicros(t);
  if (util::ParseDate(value) &&
      util::ParseTimestamp(util::StrCat(value, end_of_day ? "T23:59:59.999999Z" : "T00:00:00Z"), &t)) {
    return absl::ToUnixMicros(t);
  }
  return Bad(name,
             util::StrCat("\"", value, "\" is neither a date (2026-11-23) nor a UTC time (2026-11-23T09:45:22Z)"));
}

}  // namespace

absl::StatusOr<SearchRequest> RequestFromParams(const Params& params) {
  SearchRequest req;
  std::set<std::string, std::less<>> seen;
  for (const auto& param : params) {
    // Named copies: lambdas below cannot capture structured bindings portably.
    const std::string& name = param.first;
    const std::string& value = param.second;
    static const std::set<std::string, std::less<>> kSingle = {"q",     "qlang",  "from",       "to",   "offset",
                                                               "limit", "facets", "diacritics", "match"};
    if (kSingle.count(name) && !seen.insert(name).second) return Bad(name, "given more than once");
    auto each = [&](std::vector<std::string>* out, auto valid, std::string_view expected) -> absl::Status {
      for (std::string_view v : SplitCommas(value)) {
        if (!valid(v)) return Bad(name, util::StrCat("\"", v, "\" is not ", expected));
        out->emplace_back(v);
      }
      return absl::OkStatus();
    };
    absl::Status st;
    if (name == "q") {
      req.q = value;
    } else if (name == "qlang") {
      if (!value.empty() && !IsLanguageTag(value))
        return Bad(name, util::StrCat("\"", value, "\" is not a BCP 47 language tag"));
      req.query_lang = value;
    } else if (name == "type") {
      st = each(
          &req.filters.types, [](std::string_view v) { return Types().count(v) > 0; },
          "a record type (incident, system, assessment, evaluation, practice, oversight)");
    } else if (name == "tlp") {
      st = each(
          &req.filters.tlps, [](std::string_view v) { return records::ParseTlp(v).has_value(); },
          "a TLP marking (clear, green, amber, amber+strict, red)");
    } else if (name == "origin") {
      st = each(&req.filters.origins, IsNodeName, "a node name");
    } else if (name == "country") {
      st = each(&req.filters.countries, records::IsCountryCode, "an ISO 3166-1 alpha-2 code (upper case)");
    } else if (name == "lang") {
      st = each(&req.filters.langs, IsLanguageTag, "a BCP 47 language tag");
    } else if (name == "harm") {
      st = each(
          &req.filters.harms, [](std::string_view v) { return Harms().count(v) > 0; },
          "a harm category (discrimination-toxicity, privacy-security, misinformation, malicious-use, "
          "human-computer-interaction, socioeconomic-environmental, ai-system-safety)");
    } else if (name == "from" || name == "to") {
      auto t = Time(name, value, name == "to");
      if (!t.ok()) return t.status();
      (name == "from" ? req.filters.from_us : req.filters.to_us) = *t;
    } else if (name == "offset") {
      auto n = Number(name, value, kMaxWindow);
      if (!n.ok()) return n.status();
      req.offset = *n;
    } else if (name == "limit") {
      auto n = Number(name, value, kMaxLimit);
      if (!n.ok()) return n.status();
      if (*n == 0) return Bad(name, util::StrCat("must be between 1 and ", kMaxLimit));
      req.limit = *n;
    } else if (name == "facets") {
      auto b = Bool(name, value);
      if (!b.ok()) return b.status();
      req.facets = *b;
    } else if (name == "diacritics") {
      if (value != "fold" && value != "exact") return Bad(name, util::StrCat("\"", value, "\" is not fold or exact"));
      req.fold_diacritics = value == "fold";
    } else if (name == "match") {
      if (value != "any" && value != "all") return Bad(name, util::StrCat("\"", value, "\" is not any or all"));
      req.match_all_words = value == "all";
    } else {
      return Bad(name, "unknown parameter (see GET /openapi.json or docs/search.md)");
    }
    if (!st.ok()) return st;
  }
  if (req.filters.from_us && req.filters.to_us && *req.filters.from_us > *req.filters.to_us) {
    return Bad("from", "is after to");
  }
  if (req.offset + req.limit > kMaxWindow) {
    return Bad("offset", util::StrCat("offset + limit may be at most ", kMaxWindow));
  }
  return req;
}

nlohmann::json HitJson(const Hit& hit) {
  return {{"id", util::ToHex(hit.id)},  {"type", hit.type},
          {"origin", hit.origin},       {"tlp", hit.tlp},
          {"lang", hit.lang},           {"created", hit.created},
          {"countries", hit.countries}, {"title", hit.title},
          {"snippet", hit.snippet},     {"snippet_html", hit.snippet_html}};
}

nlohmann::json ResultJson(const SearchRequest& request, const SearchResult& result) {
  nlohmann::json hits = nlohmann::json::array();
  for (const Hit& h : result.hits) hits.push_back(HitJson(h));
  nlohmann::json out = {{"total", result.total},
                        {"total_exact", result.total_exact},
                        {"offset", request.offset},
                        {"limit", request.limit},
                        {"hits", std::move(hits)}};
  size_t next = request.offset + result.hits.size();
  bool more = !result.total_exact || next < result.total;
  if (result.hits.size() == request.limit && more && next < kMaxWindow) {
    out["next_offset"] = next;
  }
  if (request.facets) out["facets"] = result.facets;
  return out;
}

}  // namespace aisafe::search
