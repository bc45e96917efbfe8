#include "federation/feed.h"

#include <charconv>
#include <cstring>

#include "records/json.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::federation {
namespace {

using Json = nlohmann::json;

// A proof in a tree of at most 2^64 leaves has at most 64 hashes
// (inclusion) or 2 * 64 (consistency); more is an attack on memory.
constexpr size_t kMaxProofHashes = 128;

void AppendJsonString(std::string* out, std::string_view s) { out->append(Json(std::string(s)).dump()); }

absl::Status Bad(std::string_view pointer, std::string_view what) {
  return absl::InvalidArgumentError(util::StrCat(pointer, ": ", what));
}

absl::StatusOr<uint64_t> Index(const Json& j, std::string_view pointer) {
  if (!j.is_number_unsigned()) return Bad(pointer, "not a non-negative integer");
  return j.get<uint64_t>();
}

absl::StatusOr<std::string> String(const Json& j, std::string_view pointer) {
  if (!j.is_string()) return Bad(pointer, "not a string");
  return j.get<std::string>();
}

const Json* Member(const Json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

}  // namespace

std::string HashesJson(const std::vector<log::Hash>& hashes) {
  std::string out = "[";
  for (size_t i = 0; i < hashes.size(); ++i) {
    util::StrAppend(&out, i ? ",\"" : "\"", util::ToHex(hashes[i]), "\"");
  }
  return out + "]";
}

absl::StatusOr<std::vector<log::Hash>> HashesFromJson(const Json& value, std::string_view pointer) {
  if (!value.is_array()) return Bad(pointer, "not an array");
  if (value.size() > kMaxProofHashes) return Bad(pointer, util::StrCat("more than ", kMaxProofHashes, " hashes"));
  std::vector<log::Hash> out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const Json& h = value[i];
    std::optional<util::Digest> d = h.is_string() ? util::DigestFromHex(h.get_ref<const std::string&>()) : std::nullopt;
    if (!d) return Bad(util::StrCat(pointer, "/", i), "not a 32-byte lowercase hex hash");
    out.push_back(*d);
  }
  return out;
}

std::string EncodeCursor(uint64_t next_index) { return std::to_string(next_index); }

absl::StatusOr<uint64_t> DecodeCursor(std::string_view cursor) {
  if (cursor.empty()) return 0;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), v);
  if (ec != std::errc() || end != cursor.data() + cursor.size() || (cursor.size() > 1 && cursor[0] == '0')) {
    return absl::InvalidArgumentError("cursor is malformed");
  }
  return v;
}

std::string EncodeFeedPage(const FeedPage& page) {
  size_t reserve = 256 + page.checkpoint.size();
  for (const auto& e : page.entries) reserve += e.record_json.size() + 64 * 70 + 64;
  std::string out;
  out.reserve(reserve);
  out += "{\"sender\":";
  AppendJsonString(&out, page.sender);
  out += ",\"checkpoint\":";
  AppendJsonString(&out, page.checkpoint);
  if (page.consistency) {
    util::StrAppend(&out, ",\"consistency\":{\"old_size\":", page.consistency->old_size,
                    ",\"new_size\":", page.consistency->new_size, ",\"proof\":", HashesJson(page.consistency->proof),
                    "}");
  }
  out += ",\"origin_checkpoints\":[";
  for (size_t i = 0; i < page.origin_checkpoints.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(&out, page.origin_checkpoints[i]);
  }
  out += "],\"entries\":[";
  for (size_t i = 0; i < page.entries.size(); ++i) {
    const FeedEntry& e = page.entries[i];
    util::StrAppend(&out, i ? ",{" : "{", "\"index\":", e.index, ",\"record\":", e.record_json);
    if (e.relay) {
      util::StrAppend(&out, ",\"relay\":{\"checkpoint\":", e.relay->checkpoint, ",\"index\":", e.relay->index,
                      ",\"proof\":", HashesJson(e.relay->proof), "}}");
    } else {
      util::StrAppend(&out, ",\"proof\":", HashesJson(e.proof), "}");
    }
  }
  out += "],\"next_cursor\":";
  AppendJsonString(&out, page.next_cursor);
  util::StrAppend(&out, ",\"more\":", page.more ? "true" : "false", "}");
  return out;
}

absl::StatusOr<FeedPage> DecodeFeedPage(std::string_view body) {
  auto parsed = records::ParseJson(body);
  if (!parsed.ok()) return absl::InvalidArgumentError(util::StrCat("feed page: ", parsed.status().message()));
  Json& doc = *parsed;
  if (!doc.is_object()) return Bad("", "the page is not a JSON object");
  FeedPage page;
  for (const char* required : {"sender", "checkpoint", "origin_checkpoints", "entries", "next_cursor", "more"}) {
    if (Member(doc, required) == nullptr) return Bad(util::StrCat("/", required), "missing");
  }
  auto sender = String(doc["sender"], "/sender");
  if (!sender.ok()) return sender.status();
  page.sender = std::move(*sender);
  auto checkpoint = String(doc["checkpoint"], "/checkpoint");
  if (!checkpoint.ok()) return checkpoint.status();
  page.checkpoint = std::move(*checkpoint);
  auto cursor = String(doc["next_cursor"], "/next_cursor");
  if (!cursor.ok()) return cursor.status();
  page.next_cursor = std::move(*cursor);
  if (!doc["more"].is_boolean()) return Bad("/more", "not a boolean");
  page.more = doc["more"].get<bool>();
  if (const Json* c = Member(doc, "consistency")) {
    if (!c->is_object()) return Bad("/consistency", "not an object");
    FeedConsistency fc;
    for (const char* required : {"old_size", "new_size", "proof"}) {
      if (Member(*c, required) == nullptr) return Bad(util::StrCat("/consistency/", required), "missing");
    }
    auto old_size = Index((*c)["old_size"], "/consistency/old_size");
    if (!old_size.ok()) return old_size.status();
    auto new_size = Index((*c)["new_size"], "/consistency/new_size");
    if (!new_size.ok()) return new_size.status();
    auto proof = HashesFromJson((*c)["proof"], "/consistency/proof");
    if (!proof.ok()) return proof.status();
    page.consistency = FeedConsistency{*old_size, *new_size, std::move(*proof)};
  }
  const Json& origins = doc["origin_checkpoints"];
  if (!origins.is_array()) return Bad("/origin_checkpoints", "not an array");
  for (size_t i = 0; i < origins.size(); ++i) {
    auto note = String(origins[i], util::StrCat("/origin_checkpoints/", i));
    if (!note.ok()) return note.status();
    page.origin_checkpoints.push_back(std::move(*note));
  }
  Json& entries = doc["entries"];
  if (!entries.is_array()) return Bad("/entries", "not an array");
  page.entries.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string at = util::StrCat("/entries/", i);
    Json& e = entries[i];
    if (!e.is_object()) return Bad(at, "not an object");
    FeedEntry entry;
    const Json* index = Member(e, "index");
    if (index == nullptr) return Bad(util::StrCat(at, "/index"), "missing");
    auto idx = Index(*index, util::StrCat(at, "/index"));
    if (!idx.ok()) return idx.status();
    entry.index = *idx;
    if (i > 0 && entry.index <= page.entries.back().index) {
      return Bad(util::StrCat(at, "/index"), "not greater than the previous entry's");
    }
    auto record = e.find("record");
    if (record == e.end() || !record->is_object()) return Bad(util::StrCat(at, "/record"), "missing or not an object");
    entry.record = std::move(*record);
    const Json* proof = Member(e, "proof");
    const Json* relay = Member(e, "relay");
    if ((proof == nullptr) == (relay == nullptr)) {
      return Bad(at, "needs exactly one of \"proof\" and \"relay\"");
    }
    if (proof != nullptr) {
      auto hashes = HashesFromJson(*proof, util::StrCat(at, "/proof"));
      if (!hashes.ok()) return hashes.status();
      entry.proof = std::move(*hashes);
    } else {
      if (!relay->is_object()) return Bad(util::StrCat(at, "/relay"), "not an object");
      FeedEntry::Relay r;
      for (const char* required : {"checkpoint", "index", "proof"}) {
        if (Member(*relay, required) == nullptr) return Bad(util::StrCat(at, "/relay/", required), "missing");
      }
      auto k = Index((*relay)["checkpoint"], util::StrCat(at, "/relay/checkpoint"));
      if (!k.ok()) return k.status();
      if (*k >= page.origin_checkpoints.size()) {
        return Bad(util::StrCat(at, "/relay/checkpoint"), "names no entry of /origin_checkpoints");
      }
      r.checkpoint = static_cast<size_t>(*k);
      auto j = Index((*relay)["index"], util::StrCat(at, "/relay/index"));
      if (!j.ok()) return j.status();
      r.index = *j;
      auto hashes = HashesFromJson((*relay)["proof"], util::StrCat(at, "/relay/proof"));
      if (!hashes.ok()) return hashes.status();
      r.proof = std::move(*hashes);
      entry.relay = std::move(r);
    }
    page.entries.push_back(std::move(entry));
  }
  return page;
}

}  // namespace aisafe::federation
