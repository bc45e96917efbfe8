#include "records/record.h"

#include <gtest/gtest.h>

#include "keys/keys.h"
#include "records/canonical.h"
#include "util/base64.h"
#include "util/hex.h"

namespace aisafe::records {
namespace {

using Json = nlohmann::json;

Json Practice() {
  return Json::parse(R"({
    "type": "practice", "origin": "my-mcmc", "created": "2026-11-23T09:45:22.000Z",
    "tlp": "green", "lang": "ms", "countries": ["MY"], "title": "Red-teaming dalam Bahasa Melayu",
    "nonce": "00112233445566778899aabbccddeeff",
    "body": {"kind": "best-practice", "principles": ["security-safety"], "description": "Uji model dalam bahasa tempatan."}
  })");
}

bool Has(const std::vector<Violation>& v, const std::string& pointer, const std::string& words) {
  for (const auto& x : v) {
    if (x.pointer == pointer && x.message.find(words) != std::string::npos) return true;
  }
  return false;
}

std::string Dump(const std::vector<Violation>& v) { return FormatViolations(v, ""); }

TEST(Record, ValidRecordHasIdOfItsCanonicalForm) {
  Json doc = Practice();
  EXPECT_TRUE(CheckRecord(doc).empty()) << Dump(CheckRecord(doc));
  auto r = MakeRecord(doc);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->canonical, *Canonicalize(doc));
  EXPECT_EQ(r->id, util::Sha256(r->canonical));
  EXPECT_EQ(r->type, "practice");
  EXPECT_EQ(r->tlp, Tlp::kGreen);
  EXPECT_EQ(absl::ToUnixSeconds(r->created_time), 1795427122);
}

TEST(Record, MissingAndUnknownType) {
  Json doc = Practice();
  doc.erase("type");
  EXPECT_TRUE(Has(CheckRecord(doc), "/type", "missing"));
  doc["type"] = "rumour";
  EXPECT_TRUE(Has(CheckRecord(doc), "/type", "unknown type \"rumour\""));
}

TEST(Record, BodyViolationsAreAllReportedWithPointers) {
  Json doc = Practice();
  doc["body"]["kind"] = "wish";
  doc["body"]["principles"] = {"kindness"};
  doc["body"].erase("description");
  doc["body"]["extra"] = 1;
  auto v = CheckRecord(doc);
  EXPECT_TRUE(Has(v, "/body/kind", "must be one of: safeguard, best-practice")) << Dump(v);
  EXPECT_TRUE(Has(v, "/body/principles/0", "must be one of")) << Dump(v);
  EXPECT_TRUE(Has(v, "/body", "description")) << Dump(v);
  EXPECT_GE(v.size(), 4u) << Dump(v);
}

TEST(Record, TlpRules) {
  Json doc = Practice();
  doc["tlp"] = "orange";
  EXPECT_TRUE(Has(CheckRecord(doc), "/tlp", "unknown TLP marking \"orange\""));
  doc["tlp"] = "amber";
  EXPECT_TRUE(Has(CheckRecord(doc), "/audience", "requires an audience"));
  doc["tlp"] = "amber+strict";
  EXPECT_TRUE(Has(CheckRecord(doc), "/audience", "requires an audience"));
  doc["audience"] = Json::array();
  EXPECT_FALSE(CheckRecord(doc).empty());
  doc["audience"] = {"sg-aisi", "th-etda"};
  EXPECT_TRUE(CheckRecord(doc).empty()) << Dump(CheckRecord(doc));
  doc["tlp"] = "clear";
  EXPECT_TRUE(Has(CheckRecord(doc), "/audience", "not allowed on TLP:CLEAR"));
  doc["tlp"] = "green";
  EXPECT_TRUE(Has(CheckRecord(doc), "/audience", "not allowed on TLP:GREEN"));
  doc["tlp"] = "red";
  EXPECT_TRUE(Has(CheckRecord(doc), "/audience", "not allowed on TLP:RED"));
  doc.erase("audience");
  EXPECT_TRUE(CheckRecord(doc).empty());
  doc["audience"] = {"bad name!"};
  doc["tlp"] = "amber";
  EXPECT_TRUE(Has(CheckRecord(doc), "/audience/0", ""));
}

TEST(Record, DatesCountriesAndIds) {
  Json doc = Practice();
  doc["created"] = "2026-02-30T00:00:00Z";
  EXPECT_TRUE(Has(CheckRecord(doc), "/created", "not an RFC 3339"));
  doc = Practice();
  doc["created"] = "2026-11-23T09:45:22+07:00";
  EXPECT_FALSE(CheckRecord(doc).empty());
  doc = Practice();
  doc["countries"] = {"MY", "XX"};
  EXPECT_TRUE(Has(CheckRecord(doc), "/countries/1", "ISO 3166-1"));
  doc = Practice();
  doc["supersedes"] = "ABC";
  EXPECT_TRUE(Has(CheckRecord(doc), "/supersedes", ""));
  doc = Practice();
  doc["nonce"] = "short";
  EXPECT_TRUE(Has(CheckRecord(doc), "/nonce", ""));
}

TEST(Record, NotAnObject) { EXPECT_TRUE(Has(CheckRecord(Json::array()), "", "JSON object")); }

TEST(Record, SizeLimitIsOnTheCanonicalForm) {
  Json doc = Practice();
  doc["body"]["description"] = std::string(5000, 'x');
  EXPECT_TRUE(MakeRecord(doc, 100000).ok());
  auto r = MakeRecord(doc, 4096);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("the limit is 4096"), absl::string_view::npos);
}

TEST(Record, OversightSignatureIsVerified) {
  keys::Signer human = keys::Signer::Generate("col.arif@my-mod");
  Json doc = Json::parse(R"({
    "type": "oversight", "origin": "my-mod", "created": "2026-11-23T09:45:22Z", "tlp": "red",
    "lang": "en", "title": "Target-recognition cue rejected", "nonce": "00112233445566778899aabbccddeeff",
    "body": {"principal": {"name": "Col. Arif", "role": "duty officer", "authority": "Standing order 7"},
             "system": {"name": "Coastal ATR"}, "output": {"summary": "Vessel classified hostile"},
             "decision": "reject", "rationale": "Fishing vessel; transponder matches registry.",
             "decided": "2026-11-23T09:40:00Z"}
  })");
  std::string input = *OversightSigningInput(doc["body"]);
  keys::Signature sig = human.Sign(input);
  doc["body"]["signature"] = {
      {"key", human.verifier().Encode()},
      {"sig", util::Base64Encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()))}};
  EXPECT_TRUE(CheckRecord(doc).empty()) << Dump(CheckRecord(doc));
  doc["body"]["decision"] = "approve";  // Changed after signing.
  EXPECT_TRUE(Has(CheckRecord(doc), "/body/signature/sig", "does not verify"));
}

TEST(Record, CountryCodes) {
  for (const char* c : {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN", "AD", "ZW"}) {
    EXPECT_TRUE(IsCountryCode(c)) << c;
  }
  for (const char* c : {"XX", "AA", "ZZ", "", "MYS", "my"}) EXPECT_FALSE(IsCountryCode(c)) << c;
}

}  // namespace
}  // namespace aisafe::records
