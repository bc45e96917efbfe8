#include "federation/http_signature.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/time/civil_time.h"
#include "util/base64.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace aisafe::federation {
namespace {

// The covered components of the profile, in order.
constexpr std::array<std::string_view, 4> kComponents = {"@method", "@path", "@query", "date"};
constexpr size_t kNonceBytes = 16;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
// RFC 9110 tchar.
bool IsTchar(char c) { return IsAlpha(c) || IsDigit(c) || (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr); }
// Visible ASCII (RFC 5234 VCHAR).
bool IsVchar(char c) { return c >= 0x21 && c <= 0x7e; }

// ---------------------------------------------------------------------------
// RFC 8941 structured fields: the subset of the data model a dictionary can
// hold, parsed exactly as RFC 8941 section 4.2 says (so any well-formed field
// parses, whatever it carries beside our member).

struct BareItem {
  enum class Kind { kInteger, kDecimal, kString, kToken, kBytes, kBoolean };
  Kind kind = Kind::kBoolean;
  int64_t integer = 0;
  bool boolean = true;
  std::string text;  // kString, kToken; kBytes decoded.
};

using Parameters = std::vector<std::pair<std::string, BareItem>>;

struct Item {
  BareItem value;
  Parameters params;
};

struct Member {
  bool is_inner_list = false;
  Item item;                // When !is_inner_list.
  std::vector<Item> inner;  // When is_inner_list; `params` below are the list's.
  Parameters params;
};

using Dictionary = std::vector<std::pair<std::string, Member>>;

// Inserts or overwrites `key` in place (RFC 8941: a repeated key overwrites
// the earlier value and keeps its position).
template <typename T>
void Set(std::vector<std::pair<std::string, T>>& map, std::string key, T value) {
  for (auto& [k, v] : map) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  map.emplace_back(std::move(key), std::move(value));
}

template <typename T>
const T* Find(const std::vector<std::pair<std::string, T>>& map, std::string_view key) {
  for (const auto& [k, v] : map) {
    if (k == key) return &v;
  }
  return nullptr;
}

class SfParser {
 public:
  explicit SfParser(std::string_view input) : input_(input) {}

  // Parses the whole input as a dictionary; nullopt with ErrorMessage() set on
  // failure.
  std::optional<Dictionary> ParseDictionaryField() {
    SkipSp();
    Dictionary dict;
    if (!ParseDictionary(dict)) return std::nullopt;
    SkipSp();
    if (!AtEnd()) {
      Fail("unexpected characters after the dictionary");
      return std::nullopt;
    }
    return dict;
  }

  const std::string& ErrorMessage() const { return error_; }

 private:
  bool AtEnd() const { return pos_ >= input_.size(); }
  char Peek() const { return AtEnd() ? '\0' : input_[pos_]; }
  void SkipSp() {
    while (!AtEnd() && input_[pos_] == ' ') ++pos_;
  }
  void SkipOws() {
    while (!AtEnd() && (input_[pos_] == ' ' || input_[pos_] == '\t')) ++pos_;
  }
  // Records the first error; returns false for `return Fail(...)`.
  bool Fail(std::string_view what) {
    if (error_.empty()) error_ = util::StrCat("malformed structured field at byte ", pos_, ": ", what);
    return false;
  }

  bool ParseDictionary(Dictionary& dict) {
    while (!AtEnd()) {
      std::string key;
      if (!ParseKey(key)) return false;
      Member member;
      if (Peek() == '=') {
        ++pos_;
        if (!ParseItemOrInnerList(member)) return false;
      } else {
        member.item.value.kind = BareItem::Kind::kBoolean;
        member.item.value.boolean = true;
        if (!ParseParameters(member.item.params)) return false;
      }
      Set(dict, std::move(key), std::move(member));
      SkipOws();
      if (AtEnd()) return true;
      if (Peek() != ',') return Fail("expected ',' between dictionary members");
      ++pos_;
      SkipOws();
      if (AtEnd()) return Fail("trailing ','");
    }
    return true;
  }

  bool ParseItemOrInnerList(Member& member) {
    if (Peek() == '(') {
      member.is_inner_list = true;
      return ParseInnerList(member.inner, member.params);
    }
    return ParseItem(member.item);
  }

  bool ParseInnerList(std::vector<Item>& items, Parameters& params) {
    ++pos_;  // '('
    while (!AtEnd()) {
      SkipSp();
      if (Peek() == ')') {
        ++pos_;
        return ParseParameters(params);
      }
      Item item;
      if (!ParseItem(item)) return false;
      items.push_back(std::move(item));
      if (Peek() != ' ' && Peek() != ')') return Fail("expected ' ' or ')' in an inner list");
    }
    return Fail("unterminated inner list");
  }

  bool ParseItem(Item& item) { return ParseBareItem(item.value) && ParseParameters(item.params); }

  bool ParseParameters(Parameters& params) {
    while (Peek() == ';') {
      ++pos_;
      SkipSp();
      std::string key;
      if (!ParseKey(key)) return false;
      BareItem value;
      if (Peek() == '=') {
        ++pos_;
        if (!ParseBareItem(value)) return false;
      }
      Set(params, std::move(key), std::move(value));
    }
    return true;
  }

  bool ParseKey(std::string& key) {
    char c = Peek();
    if (!IsLcAlpha(c) && c != '*') return Fail("expected a key");
    size_t start = pos_;
    while (!AtEnd()) {
      c = input_[pos_];
      if (!IsLcAlpha(c) && !IsDigit(c) && c != '_' && c != '-' && c != '.' && c != '*') break;
      ++pos_;
    }
    key.assign(input_.substr(start, pos_ - start));
    return true;
  }

  bool ParseBareItem(BareItem& item) {
    char c = Peek();
    if (c == '-' || IsDigit(c)) return ParseNumber(item);
    if (c == '"') return ParseString(item);
    if (c == '*' || IsAlpha(c)) return ParseToken(item);
    if (c == ':') return ParseByteSequence(item);
    if (c == '?') return ParseBoolean(item);
    return Fail("expected an item");
  }

  bool ParseNumber(BareItem& item) {
    bool negative = false;
    if (Peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!IsDigit(Peek())) return Fail("expected a digit");
    bool decimal = false;
    size_t start = pos_;
    size_t dot = 0;
    while (!AtEnd()) {
      char c = input_[pos_];
      if (IsDigit(c)) {
        ++pos_;
      } else if (!decimal && c == '.') {
        if (pos_ - start > 12) return Fail("decimal with more than 12 integer digits");
        decimal = true;
        dot = pos_;
        ++pos_;
      } else {
        break;
      }
      if (!decimal && pos_ - start > 15) return Fail("integer with more than 15 digits");
      if (decimal && pos_ - start > 16) return Fail("decimal too long");
    }
    if (decimal) {
      size_t fraction = pos_ - dot - 1;
      if (fraction == 0) return Fail("decimal ending in '.'");
      if (fraction > 3) return Fail("decimal with more than 3 fraction digits");
      item.kind = BareItem::Kind::kDecimal;
      item.text.assign(input_.substr(start, pos_ - start));
      return true;
    }
    int64_t value = 0;
    for (size_t i = start; i < pos_; ++i) value = value * 10 + (input_[i] - '0');  // <= 15 digits: no overflow.
    item.kind = BareItem::Kind::kInteger;
    item.integer = negative ? -value : value;
    return true;
  }

  bool ParseString(BareItem& item) {
    ++pos_;  // '"'
    std::string out;
    while (!AtEnd()) {
      char c = input_[pos_++];
      if (c == '\\') {
        if (AtEnd()) return Fail("unterminated string");
        char next = input_[pos_++];
        if (next != '"' && next != '\\') return Fail("bad escape in a string");
        out.push_back(next);
      } else if (c == '"') {
        item.kind = BareItem::Kind::kString;
        item.text = std::move(out);
        return true;
      } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        return Fail("string with a character outside printable ASCII");
      } else {
        out.push_back(c);
      }
    }
    return Fail("unterminated string");
  }

  bool ParseToken(BareItem& item) {
    size_t start = pos_++;
    while (!AtEnd() && (IsTchar(input_[pos_]) || input_[pos_] == ':' || input_[pos_] == '/')) ++pos_;
    item.kind = BareItem::Kind::kToken;
    item.text.assign(input_.substr(start, pos_ - start));
    return true;
  }

  bool ParseByteSequence(BareItem& item) {
    ++pos_;  // ':'
    size_t end = input_.find(':', pos_);
    if (end == std::string_view::npos) return Fail("unterminated byte sequence");
    std::string b64(input_.substr(pos_, end - pos_));
    for (char c : b64) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '/' && c != '=') {
        return Fail("byte sequence with a character outside base64");
      }
    }
    // RFC 8941 4.2.7: parsers should not fail when '=' padding is missing.
    if (b64.size() % 4 == 2) b64 += "==";
    if (b64.size() % 4 == 3) b64 += "=";
    std::optional<std::string> bytes = util::Base64Decode(b64);
    if (!bytes) return Fail("byte sequence is not valid base64");
    pos_ = end + 1;
    item.kind = BareItem::Kind::kBytes;
    item.text = std::move(*bytes);
    return true;
  }

  bool ParseBoolean(BareItem& item) {
    ++pos_;  // '?'
    char c = Peek();
    if (c != '0' && c != '1') return Fail("expected ?0 or ?1");
    ++pos_;
    item.kind = BareItem::Kind::kBoolean;
    item.boolean = c == '1';
    return true;
  }

  std::string_view input_;
  size_t pos_ = 0;
  std::string error_;
};

// RFC 8941 4.1.6: a string's serialization, escaping '"' and '\'.
void AppendSfString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

absl::Status InputError(std::string_view what) {
  return absl::InvalidArgumentError(util::StrCat("Signature-Input: ", what));
}
absl::Status SignatureError(std::string_view what) {
  return absl::InvalidArgumentError(util::StrCat("Signature: ", what));
}

// A nonce of the profile: 128 bits, base64url without padding.
bool IsProfileNonce(std::string_view nonce) {
  std::optional<std::string> bytes = util::Base64UrlDecode(nonce);
  return bytes && bytes->size() == kNonceBytes;
}

std::string TwoDigits(int v) {
  std::string out(2, '0');
  out[0] = static_cast<char>('0' + v / 10 % 10);
  out[1] = static_cast<char>('0' + v % 10);
  return out;
}

constexpr std::array<std::string_view, 7> kDayNames = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int DayIndex(absl::Weekday d) {
  switch (d) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

// Parses exactly `n` ASCII digits at `text[pos]`; -1 if any is not a digit.
int Digits(std::string_view text, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// The signature base of the profile for these request parts.
std::string ProfileBase(std::string_view method, std::string_view path, std::string_view query, std::string_view date,
                        std::string_view params) {
  std::vector<std::pair<std::string, std::string>> components = {
      {"@method", std::string(method)},
      {"@path", std::string(path)},
      {"@query", util::StrCat("?", query)},
      {"date", std::string(date)},
  };
  return http_signature_internal::SignatureBase(components, params);
}

}  // namespace

namespace http_signature_internal {

std::string SerializeSignatureParams(const std::vector<std::string>& components,
                                     const std::vector<std::pair<std::string, ParamValue>>& params) {
  std::string out = "(";
  for (size_t i = 0; i < components.size(); ++i) {
    if (i > 0) out.push_back(' ');
    AppendSfString(&out, components[i]);
  }
  out.push_back(')');
  for (const auto& [key, value] : params) {
    util::StrAppend(&out, ";", key, "=");
    if (const int64_t* n = std::get_if<int64_t>(&value)) {
      util::StrAppend(&out, *n);
    } else {
      AppendSfString(&out, std::get<std::string>(value));
    }
  }
  return out;
}

std::string SignatureBase(const std::vector<std::pair<std::string, std::string>>& components,
                          std::string_view signature_params) {
  std::string out;
  for (const auto& [name, value] : components) {
    AppendSfString(&out, name);
    util::StrAppend(&out, ": ", value, "\n");
  }
  util::StrAppend(&out, "\"@signature-params\": ", signature_params);
  return out;
}

SignatureHeaders SignRequestWithNonce(const keys::Signer& key, std::string_view method, std::string_view path,
                                      std::string_view query, absl::Time now, std::string_view nonce) {
  const int64_t created = absl::ToUnixSeconds(now);
  SignatureHeaders h;
  h.date = FormatHttpDate(absl::FromUnixSeconds(created));
  std::string params =
      SerializeSignatureParams({kComponents.begin(), kComponents.end()}, {{"created", created},
                                                                          {"keyid", key.name()},
                                                                          {"alg", std::string(kSignatureAlg)},
                                                                          {"nonce", std::string(nonce)}});
  keys::Signature sig = key.Sign(ProfileBase(method, path, query, h.date, params));
  h.signature_input = util::StrCat(kSignatureLabel, "=", params);
  h.signature = util::StrCat(
      kSignatureLabel,
      "=:", util::Base64Encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size())), ":");
  return h;
}

}  // namespace http_signature_internal

SignatureHeaders SignRequest(const keys::Signer& key, std::string_view method, std::string_view path,
                             std::string_view query, absl::Time now) {
  return http_signature_internal::SignRequestWithNonce(key, method, path, query, now,
                                                       util::Base64UrlEncode(util::RandomBytes(kNonceBytes)));
}

absl::StatusOr<ParsedSignature> ParseRequestSignature(std::string_view signature_input, std::string_view signature) {
  ParsedSignature out;

  // Signature-Input.
  SfParser input_parser(signature_input);
  std::optional<Dictionary> inputs = input_parser.ParseDictionaryField();
  if (!inputs) return InputError(input_parser.ErrorMessage());
  const Member* input = Find(*inputs, kSignatureLabel);
  if (input == nullptr) return InputError(util::StrCat("no ", kSignatureLabel, " signature"));
  if (!input->is_inner_list) return InputError(util::StrCat(kSignatureLabel, " is not an inner list"));
  bool components_ok = input->inner.size() == kComponents.size();
  for (size_t i = 0; components_ok && i < kComponents.size(); ++i) {
    const Item& c = input->inner[i];
    components_ok = c.value.kind == BareItem::Kind::kString && c.value.text == kComponents[i] && c.params.empty();
  }
  if (!components_ok) {
    return InputError(R"(covered components must be exactly ("@method" "@path" "@query" "date"))");
  }
  bool have_created = false, have_keyid = false, have_alg = false, have_nonce = false;
  std::vector<std::pair<std::string, http_signature_internal::ParamValue>> params;
  for (const auto& [key, value] : input->params) {
    if (key == "created") {
      if (value.kind != BareItem::Kind::kInteger) return InputError("created is not an integer");
      out.created = value.integer;
      have_created = true;
      params.emplace_back(key, value.integer);
      continue;
    }
    if (key != "keyid" && key != "alg" && key != "nonce") {
      return InputError(util::StrCat("unexpected parameter \"", key, "\""));
    }
    if (value.kind != BareItem::Kind::kString) return InputError(util::StrCat(key, " is not a string"));
    if (key == "keyid") {
      if (absl::Status st = keys::CheckKeyName(value.text); !st.ok()) {
        return InputError(util::StrCat("keyid is not a key name: ", st.message()));
      }
      out.keyid = value.text;
      have_keyid = true;
    } else if (key == "alg") {
      if (value.text != kSignatureAlg) return InputError(util::StrCat("alg must be \"", kSignatureAlg, "\""));
      have_alg = true;
    } else {
      if (!IsProfileNonce(value.text)) return InputError("nonce must be 128 bits in base64url without padding");
      out.nonce = value.text;
      have_nonce = true;
    }
    params.emplace_back(key, value.text);
  }
  if (!have_created) return InputError("missing created");
  if (!have_keyid) return InputError("missing keyid");
  if (!have_alg) return InputError("missing alg");
  if (!have_nonce) return InputError("missing nonce");
  out.params = http_signature_internal::SerializeSignatureParams({kComponents.begin(), kComponents.end()}, params);

  // Signature.
  SfParser sig_parser(signature);
  std::optional<Dictionary> sigs = sig_parser.ParseDictionaryField();
  if (!sigs) return SignatureError(sig_parser.ErrorMessage());
  const Member* sig = Find(*sigs, kSignatureLabel);
  if (sig == nullptr) return SignatureError(util::StrCat("no ", kSignatureLabel, " signature"));
  if (sig->is_inner_list || sig->item.value.kind != BareItem::Kind::kBytes) {
    return SignatureError(util::StrCat(kSignatureLabel, " is not a byte sequence"));
  }
  const std::string& bytes = sig->item.value.text;
  if (bytes.size() != out.signature.size()) {
    return SignatureError(util::StrCat(kSignatureLabel, " is ", bytes.size(), " bytes, not ", out.signature.size()));
  }
  std::memcpy(out.signature.data(), bytes.data(), bytes.size());
  return out;
}

absl::Status VerifyRequestSignature(const ParsedSignature& sig, const keys::Verifier& key, std::string_view method,
                                    std::string_view path, std::string_view query, std::string_view date,
                                    absl::Time now, absl::Duration max_skew) {
  // Every value goes on one line of the base: a line feed or other control
  // character could make two different requests share a base.
  if (method.empty() || !std::all_of(method.begin(), method.end(), IsTchar)) {
    return absl::InvalidArgumentError("request method is not a token");
  }
  if (path.empty() || path.front() != '/' || !std::all_of(path.begin(), path.end(), IsVchar) ||
      path.find('?') != std::string_view::npos) {
    return absl::InvalidArgumentError("request path must start with '/' and be visible ASCII without '?'");
  }
  if (!std::all_of(query.begin(), query.end(), IsVchar)) {
    return absl::InvalidArgumentError("request query must be visible ASCII");
  }
  absl::StatusOr<absl::Time> date_time = ParseHttpDate(date);
  if (!date_time.ok()) return absl::InvalidArgumentError(util::StrCat("Date: ", date_time.status().message()));

  if (sig.keyid != key.name) {
    return absl::PermissionDeniedError(util::StrCat("keyid \"", sig.keyid, "\" is not the key \"", key.name, "\""));
  }
  if (!key.Verify(ProfileBase(method, path, query, date, sig.params), sig.signature)) {
    return absl::PermissionDeniedError(util::StrCat("signature does not verify with the key of ", key.name));
  }

  const absl::Time created = absl::FromUnixSeconds(sig.created);
  if (absl::AbsDuration(*date_time - now) > max_skew || absl::AbsDuration(created - now) > max_skew ||
      absl::AbsDuration(created - *date_time) > max_skew) {
    return absl::UnauthenticatedError("stale signature");
  }
  return absl::OkStatus();
}

ReplayGuard::ReplayGuard(absl::Duration window, size_t max_entries) : window_(window), max_entries_(max_entries) {}

absl::Status ReplayGuard::Admit(std::string_view keyid, std::string_view nonce, int64_t created, absl::Time now) {
  const absl::Time created_time = absl::FromUnixSeconds(created);
  // Length-prefixed so that no two (keyid, nonce) pairs share a digest input.
  util::Digest digest = util::Sha256(util::StrCat(keyid.size(), ":", keyid, nonce));
  Key key{0, 0};
  for (size_t i = 0; i < 8; ++i) {
    key.first = key.first << 8 | digest[i];
    key.second = key.second << 8 | digest[8 + i];
  }
  const absl::Time expiry = created_time + window_;

  absl::MutexLock lock(&mu_);
  ForgetExpired(now);
  if (absl::AbsDuration(created_time - now) > window_) return absl::UnauthenticatedError("stale signature");
  if (expires_.contains(key)) return absl::AlreadyExistsError("replayed nonce");
  if (expires_.size() >= max_entries_) {
    return absl::ResourceExhaustedError("too many recent signed requests to remember; retry later");
  }
  expires_.emplace(key, expiry);
  by_expiry_.emplace(expiry, key);
  return absl::OkStatus();
}

size_t ReplayGuard::size() const {
  absl::MutexLock lock(&mu_);
  return expires_.size();
}

void ReplayGuard::ForgetExpired(absl::Time now) {
  // An entry is live while now <= expiry: VerifyRequestSignature accepts
  // |created - now| <= max_skew.
  while (!by_expiry_.empty() && by_expiry_.top().first < now) {
    auto it = expires_.find(by_expiry_.top().second);
    if (it != expires_.end() && it->second == by_expiry_.top().first) expires_.erase(it);
    by_expiry_.pop();
  }
}

std::string FormatHttpDate(absl::Time t) {
  const absl::CivilSecond cs = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int day = DayIndex(absl::GetWeekday(absl::CivilDay(cs)));
  std::string year = util::StrCat(cs.year());
  if (cs.year() >= 0 && year.size() < 4) year.insert(0, 4 - year.size(), '0');
  return util::StrCat(kDayNames[day], ", ", TwoDigits(cs.day()), " ", kMonthNames[cs.month() - 1], " ", year, " ",
                      TwoDigits(cs.hour()), ":", TwoDigits(cs.minute()), ":", TwoDigits(cs.second()), " GMT");
}

absl::StatusOr<absl::Time> ParseHttpDate(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  //  0123456789012345678901234567 8
  const auto bad = [&] { return absl::InvalidArgumentError("not an IMF-fixdate (\"Sun, 06 Nov 1994 08:49:37 GMT\")"); };
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return bad();
  }
  int day_name = -1;
  for (size_t i = 0; i < kDayNames.size(); ++i) {
    if (text.substr(0, 3) == kDayNames[i]) day_name = static_cast<int>(i);
  }
  int month = 0;
  for (size_t i = 0; i < kMonthNames.size(); ++i) {
    if (text.substr(8, 3) == kMonthNames[i]) month = static_cast<int>(i) + 1;
  }
  const int day = Digits(text, 5, 2), year = Digits(text, 12, 4);
  const int hour = Digits(text, 17, 2), minute = Digits(text, 20, 2), second = Digits(text, 23, 2);
  if (day_name < 0 || month == 0 || day < 1 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60) {
    return bad();
  }
  const absl::CivilDay civil_day(year, month, day);
  if (civil_day.year() != year || civil_day.month() != month || civil_day.day() != day) return bad();  // Feb 30.
  if (DayIndex(absl::GetWeekday(civil_day)) != day_name) return bad();
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second), absl::UTCTimeZone());
}

}  // namespace aisafe::federation
