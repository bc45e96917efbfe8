#include "records/record.h"

#include <algorithm>
#include <array>

#include "absl/strings/cord.h"
#include "keys/keys.h"
#include "records/canonical.h"
#include "records/validator.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::records {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, 5> kTlpNames = {"clear", "green", "amber", "amber+strict", "red"};

// ISO 3166-1 alpha-2 officially assigned codes (249), plus XK (Kosovo, a
// user-assigned code in wide use). Sorted for binary search.
constexpr std::string_view kCountries =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR "
    "BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ "
    "EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW "
    "GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY "
    "KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV "
    "MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG "
    "TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA "
    "ZM ZW";

const Json* Member(const Json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

const std::string* StringMember(const Json& obj, std::string_view name) {
  const Json* m = Member(obj, name);
  return m != nullptr && m->is_string() ? m->get_ptr<const std::string*>() : nullptr;
}

void CheckTlp(const Json& doc, std::vector<Violation>* out) {
  const Json* tlp_json = Member(doc, "tlp");
  const Json* audience = Member(doc, "audience");
  if (tlp_json == nullptr) return;  // The schema reports it missing.
  if (!tlp_json->is_string()) return;
  auto tlp = ParseTlp(tlp_json->get_ref<const std::string&>());
  if (!tlp) {
    out->push_back({"/tlp", util::StrCat("unknown TLP marking \"", tlp_json->get<std::string>(), "\"; use one of ",
                                         util::StrJoin(kTlpNames, ", "))});
    return;
  }
  bool has_audience = audience != nullptr;
  switch (*tlp) {
    case Tlp::kAmber:
    case Tlp::kAmberStrict:
      if (!has_audience || (audience->is_array() && audience->empty())) {
        out->push_back({"/audience", util::StrCat("TLP:", TlpName(*tlp) == "amber" ? "AMBER" : "AMBER+STRICT",
                                                  " requires an audience: the node names that may "
                                                  "receive the record")});
      }
      break;
    case Tlp::kClear:
    case Tlp::kGreen:
      if (has_audience) {
        out->push_back(
            {"/audience", util::StrCat("an audience is not allowed on TLP:", *tlp == Tlp::kClear ? "CLEAR" : "GREEN",
                                       "; it is shared with ", *tlp == Tlp::kClear ? "everyone" : "every member")});
      }
      break;
    case Tlp::kRed:
      if (has_audience) {
        out->push_back({"/audience",
                        "an audience is not allowed on TLP:RED; a red record never "
                        "leaves its origin"});
      }
      break;
  }
}

void CheckDate(const Json& obj, std::string_view name, std::string_view pointer, bool allow_time,
               std::vector<Violation>* out) {
  const std::string* s = StringMember(obj, name);
  if (s == nullptr) return;
  absl::Time t;
  bool ok = util::ParseDate(*s) || (allow_time && util::ParseTimestamp(*s, &t));
  if (!ok) {
    out->push_back({std::string(pointer), util::StrCat("\"", *s, "\" is not a valid ",
                                                       allow_time ? "date or RFC 3339 UTC time" : "calendar date")});
  }
}

void CheckCountries(const Json* list, std::string_view pointer, std::vector<Violation>* out) {
  if (list == nullptr || !list->is_array()) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& c = (*list)[i];
    if (c.is_string() && c.get_ref<const std::string&>().size() == 2 &&
        !IsCountryCode(c.get_ref<const std::string&>())) {
      out->push_back({util::StrCat(pointer, "/", i),
                      util::StrCat("\"", c.get<std::string>(), "\" is not an ISO 3166-1 alpha-2 country code")});
    }
  }
}

void CheckOversightSignature(const Json& body, std::vector<Violation>* out) {
  const Json* sig = Member(body, "signature");
  if (sig == nullptr) return;
  const std::string* key_text = StringMember(*sig, "key");
  const std::string* sig_text = StringMember(*sig, "sig");
  if (key_text == nullptr || sig_text == nullptr) return;
  auto verifier = keys::ParseVerifierKey(*key_text);
  if (!verifier.ok()) {
    out->push_back({"/body/signature/key", std::string(verifier.status().message())});
    return;
  }
  auto raw = util::Base64Decode(*sig_text);
  if (!raw || raw->size() != 64) {
    out->push_back({"/body/signature/sig", "signature must be 64 bytes of base64"});
    return;
  }
  auto input = OversightSigningInput(body);
  if (!input.ok()) return;
  keys::Signature s;
  std::copy(raw->begin(), raw->end(), s.begin());
  if (!verifier->Verify(*input, s)) {
    out->push_back({"/body/signature/sig", util::StrCat("Ed25519 signature does not verify with key ", verifier->name,
                                                        " over the RFC 8785 form of the body without its signature")});
  }
}

}  // namespace

std::optional<Tlp> ParseTlp(std::string_view text) {
  for (size_t i = 0; i < kTlpNames.size(); ++i) {
    if (kTlpNames[i] == text) return static_cast<Tlp>(i);
  }
  return std::nullopt;
}

std::string_view TlpName(Tlp tlp) { return kTlpNames[static_cast<size_t>(tlp)]; }

bool IsCountryCode(std::string_view code) {
  if (code.size() != 2) return false;
  // Codes are at every third position of kCountries.
  size_t lo = 0, hi = (kCountries.size() + 1) / 3;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    std::string_view c = kCountries.substr(mid * 3, 2);
    if (c == code) return true;
    if (c < code)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

absl::StatusOr<std::string> OversightSigningInput(const Json& body) {
  Json copy = body;
  if (copy.is_object()) copy.erase("signature");
  return Canonicalize(copy);
}

std::vector<Violation> CheckRecord(const Json& doc) {
  std::vector<Violation> out;
  if (!doc.is_object()) {
    out.push_back({"", "a record must be a JSON object"});
    return out;
  }
  // The type decides which body schema applies; say clearly when it is
  // missing or unknown rather than letting the enum message speak.
  const Json* type = Member(doc, "type");
  std::string type_name;
  const auto& types = RecordTypes();
  if (type == nullptr) {
    out.push_back({"/type", util::StrCat("missing; a record needs a type: ", util::StrJoin(types, ", "))});
  } else if (!type->is_string() ||
             std::find(types.begin(), types.end(), type->get_ref<const std::string&>()) == types.end()) {
    out.push_back({"/type", util::StrCat("unknown type ", type->dump(), "; use one of ", util::StrJoin(types, ", "))});
  } else {
    type_name = type->get<std::string>();
  }
  CheckTlp(doc, &out);

  std::vector<Violation> schema;
  ValidateAgainst("envelope", doc, "", &schema);
  for (Violation& v : schema) {
    // Already reported above, in clearer words.
    if (v.pointer == "/type" || (v.pointer == "/tlp" && Member(doc, "tlp") != nullptr)) continue;
    out.push_back(std::move(v));
  }
  const Json* body = Member(doc, "body");
  if (!type_name.empty() && body != nullptr && body->is_object()) {
    ValidateAgainst(type_name, *body, "/body", &out);
    if (type_name == "incident") CheckDate(*body, "occurred", "/body/occurred", true, &out);
    if (type_name == "evaluation") CheckDate(*body, "evaluated", "/body/evaluated", false, &out);
    if (type_name == "oversight") {
      CheckDate(*body, "decided", "/body/decided", true, &out);
      CheckOversightSignature(*body, &out);
    }
    if (type_name == "system")
      CheckCountries(Member(*body, "deployment_countries"), "/body/deployment_countries", &out);
  }
  if (const std::string* created = StringMember(doc, "created")) {
    absl::Time t;
    if (!util::ParseTimestamp(*created, &t)) {
      out.push_back(
          {"/created", util::StrCat("\"", *created, "\" is not an RFC 3339 UTC time like 2026-11-23T09:45:22Z")});
    }
  }
  CheckCountries(Member(doc, "countries"), "/countries", &out);
  return out;
}

std::optional<Record> MakeRecord(const Json& doc, size_t max_bytes, std::vector<Violation>* violations) {
  size_t before = violations->size();
  std::vector<Violation> found = CheckRecord(doc);
  violations->insert(violations->end(), found.begin(), found.end());
  if (violations->size() > before) return std::nullopt;
  auto canonical = Canonicalize(doc);
  if (!canonical.ok()) {
    violations->push_back({"", std::string(canonical.status().message())});
    return std::nullopt;
  }
  if (canonical->size() > max_bytes) {
    violations->push_back(
        {"", util::StrCat("record is ", canonical->size(), " bytes in canonical form; the limit is ", max_bytes)});
    return std::nullopt;
  }
  Record r;
  r.canonical = std::move(*canonical);
  r.id = util::Sha256(r.canonical);
  r.type = doc["type"].get<std::string>();
  r.origin = doc["origin"].get<std::string>();
  r.tlp = *ParseTlp(doc["tlp"].get<std::string>());
  r.created = doc["created"].get<std::string>();
  util::ParseTimestamp(r.created, &r.created_time);
  if (const std::string* sup = StringMember(doc, "supersedes")) r.supersedes = util::DigestFromHex(*sup);
  if (auto it = doc.find("countries"); it != doc.end() && it->is_array()) {
    for (const Json& c : *it) {
      if (c.is_string()) r.countries.push_back(c.get<std::string>());
    }
  }
  return r;
}

absl::StatusOr<Record> MakeRecord(const Json& doc, size_t max_bytes) {
  std::vector<Violation> violations;
  std::optional<Record> r = MakeRecord(doc, max_bytes, &violations);
  if (!r) return ViolationsStatus(violations, "");
  return std::move(*r);
}

absl::Status ViolationsStatus(const std::vector<Violation>& violations, std::string_view prefix) {
  absl::Status st = absl::InvalidArgumentError(FormatViolations(violations, prefix));
  Json payload = Json::array();
  for (const Violation& v : violations) payload.push_back({{"pointer", v.pointer}, {"message", v.message}});
  st.SetPayload(kViolationsPayload, absl::Cord(payload.dump(-1, ' ', false, Json::error_handler_t::replace)));
  return st;
}

}  // namespace aisafe::records
