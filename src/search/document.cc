#include "search/document.h"

#include <string_view>

#include "nlohmann/json.hpp"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::search {
namespace {

// Body members that hold identifiers, hashes or signatures: words of no
// language, and noise in every index.
bool Skipped(std::string_view key) {
  return key == "signature" || key == "sha256" || key == "record" || key == "key" || key == "sig";
}

void CollectStrings(const nlohmann::json& value, std::vector<std::string>* out) {
  if (value.is_string()) {
    out->push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const auto& v : value) CollectStrings(v, out);
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.items()) {
      if (!Skipped(k)) CollectStrings(v, out);
    }
  }
}

std::string Truncate(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::vector<std::string> Strings(const nlohmann::json& doc, const char* key) {
  std::vector<std::string> out;
  auto it = doc.find(key);
  if (it != doc.end() && it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<IndexDoc> MakeIndexDoc(const store::StoredRecord& record) {
  nlohmann::json doc = nlohmann::json::parse(record.canonical, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("title") || !doc["title"].is_string() || !doc.contains("lang") ||
      !doc["lang"].is_string()) {
    return absl::DataLossError(util::StrCat("record ", util::ToHex(record.id), " is not a record"));
  }
  IndexDoc out;
  out.log_index = record.log_index;
  out.id = record.id;
  out.type = record.type;
  out.origin = record.origin;
  out.tlp = record.tlp;
  out.created = record.created;
  out.created_us = record.created_us;
  out.lang = doc["lang"].get<std::string>();
  out.title = doc["title"].get<std::string>();
  out.countries = Strings(doc, "countries");
  out.audience = Strings(doc, "audience");
  std::string summary;
  if (auto it = doc.find("summary"); it != doc.end() && it->is_string()) {
    summary = it->get<std::string>();
    out.fields.push_back(summary);
  }
  if (auto body = doc.find("body"); body != doc.end() && body->is_object()) {
    out.harms = Strings(*body, "harm_categories");
    CollectStrings(*body, &out.fields);
    if (summary.empty()) {
      if (auto d = body->find("description"); d != body->end() && d->is_string()) summary = d->get<std::string>();
    }
  }
  out.excerpt = Truncate(summary, kMaxExcerptBytes);
  return out;
}

}  // namespace aisafe::search
