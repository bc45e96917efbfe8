#include "records/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace aisafe::records {
namespace {

const icu::Normalizer2* Nfc() {
  static const icu::Normalizer2* nfc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
    return U_SUCCESS(status) ? n : nullptr;
  }();
  return nfc;
}

bool IsAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

absl::Status NormalizeNfc(std::string* text) {
  if (IsAscii(*text)) return absl::OkStatus();
  const icu::Normalizer2* nfc = Nfc();
  if (nfc == nullptr) return absl::InternalError("ICU NFC normaliser unavailable");
  // Work on the UTF-8 bytes directly: most text is already NFC, and the
  // check needs no conversion to UTF-16.
  icu::StringPiece piece(text->data(), static_cast<int32_t>(text->size()));
  UErrorCode status = U_ZERO_ERROR;
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return absl::OkStatus();
  if (status == U_INVALID_CHAR_FOUND || status == U_ILLEGAL_CHAR_FOUND) {
    return absl::InvalidArgumentError("text is not valid UTF-8");
  }
  status = U_ZERO_ERROR;
  std::string normalized;
  icu::StringByteSink<std::string> sink(&normalized);
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return absl::InvalidArgumentError("text cannot be normalised to NFC");
  *text = std::move(normalized);
  return absl::OkStatus();
}

namespace {
bool IsNfc(const std::string& s) {
  if (IsAscii(s)) return true;
  const icu::Normalizer2* nfc = Nfc();
  if (nfc == nullptr) return false;
  UErrorCode status = U_ZERO_ERROR;
  bool normalized = nfc->isNormalizedUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), status);
  return normalized && U_SUCCESS(status);
}
}  // namespace

bool IsNfcDocument(const nlohmann::json& doc) {
  switch (doc.type()) {
    case nlohmann::json::value_t::string:
      return IsNfc(doc.get_ref<const std::string&>());
    case nlohmann::json::value_t::array:
      return std::all_of(doc.begin(), doc.end(), [](const nlohmann::json& e) { return IsNfcDocument(e); });
    case nlohmann::json::value_t::object:
      for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (!IsNfc(it.key()) || !IsNfcDocument(it.value())) return false;
      }
      return true;
    default:
      return true;
  }
}

absl::Status NormalizeDocument(nlohmann::json* doc) {
  switch (doc->type()) {
    case nlohmann::json::value_t::string:
      return NormalizeNfc(doc->get_ptr<std::string*>());
    case nlohmann::json::value_t::array:
      for (auto& e : *doc) {
        if (auto st = NormalizeDocument(&e); !st.ok()) return st;
      }
      return absl::OkStatus();
    case nlohmann::json::value_t::object: {
      std::vector<std::pair<std::string, std::string>> renames;
      for (auto it = doc->begin(); it != doc->end(); ++it) {
        if (auto st = NormalizeDocument(&it.value()); !st.ok()) return st;
        std::string key = it.key();
        if (auto st = NormalizeNfc(&key); !st.ok()) return st;
        if (key != it.key()) renames.emplace_back(it.key(), std::move(key));
      }
      for (auto& [from, to] : renames) {
        if (doc->contains(to)) {
          return absl::InvalidArgumentError("two member names are equal after NFC normalisation: " + to);
        }
        (*doc)[to] = std::move((*doc)[from]);
        doc->erase(from);
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace aisafe::records
