#include "federation/http_signature.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "keys/keys.h"
#include "util/base64.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::federation {
namespace {

using http_signature_internal::ParamValue;
using http_signature_internal::SerializeSignatureParams;
using http_signature_internal::SignatureBase;
using http_signature_internal::SignRequestWithNonce;

// RFC 9421 Appendix B.1.4, test-key-ed25519 (JWK "d" is the seed, "x" the
// public key; both base64url).
constexpr char kRfcSeed[] = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
constexpr char kRfcPublic[] = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";

// 2027-01-15T08:00:00Z, a Friday (date -u -d @1800000000).
const absl::Time kT0 = absl::FromUnixSeconds(1800000000);
constexpr char kNonce[] = "MDEyMzQ1Njc4OWFiY2RlZg";  // base64url("0123456789abcdef"), 128 bits.
constexpr char kPath[] = "/v1/federation/feed";
constexpr char kQuery[] = "after=42&limit=100";

// A signer with the RFC's Ed25519 seed under `name`; Signer::Parse checks
// that the seed gives the RFC's public key (the key id is computed from it).
keys::Signer RfcKey(const std::string& name) {
  std::optional<std::string> seed = util::Base64UrlDecode(kRfcSeed);
  std::optional<std::string> pub = util::Base64UrlDecode(kRfcPublic);
  EXPECT_TRUE(seed && pub && seed->size() == 32 && pub->size() == 32);
  keys::PublicKey pk{};
  std::memcpy(pk.data(), pub->data(), pk.size());
  uint32_t id = keys::KeyId(name, pk);
  std::string id_bytes = {static_cast<char>(id >> 24), static_cast<char>(id >> 16), static_cast<char>(id >> 8),
                          static_cast<char>(id)};
  auto signer = keys::Signer::Parse(util::StrCat("PRIVATE+KEY+", name, "+", util::ToHex(id_bytes), "+",
                                                 util::Base64Encode(util::StrCat("\x01", *seed))));
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

std::string B64(const keys::Signature& sig) {
  return util::Base64Encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
}

ParsedSignature MustParse(const SignatureHeaders& h) {
  auto p = ParseRequestSignature(h.signature_input, h.signature);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : ParsedSignature{};
}

absl::Status Verify(const SignatureHeaders& h, const keys::Verifier& v, std::string_view method = "GET",
                    std::string_view path = kPath, std::string_view query = kQuery, absl::Time now = kT0) {
  auto p = ParseRequestSignature(h.signature_input, h.signature);
  if (!p.ok()) return p.status();
  return VerifyRequestSignature(*p, v, method, path, query, h.date, now);
}

// Headers signed over arbitrary `date` and `created` (which SignRequest
// always takes from one clock reading), to test the freshness rules alone.
SignatureHeaders SignWith(const keys::Signer& key, std::string date, int64_t created) {
  std::string params = SerializeSignatureParams(
      {"@method", "@path", "@query", "date"},
      {{"created", created}, {"keyid", key.name()}, {"alg", std::string("ed25519")}, {"nonce", std::string(kNonce)}});
  std::string base = SignatureBase(
      {{"@method", "GET"}, {"@path", kPath}, {"@query", util::StrCat("?", kQuery)}, {"date", date}}, params);
  SignatureHeaders h;
  h.date = std::move(date);
  h.signature_input = util::StrCat("sig1=", params);
  h.signature = util::StrCat("sig1=:", B64(key.Sign(base)), ":");
  return h;
}

// --- The RFC's own example.

TEST(HttpSignature, ReproducesRfc9421AppendixB26) {
  // The signature base, unfolded from the RFC 8792 line wrapping.
  const std::string kBase =
      "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
      "\"@method\": POST\n"
      "\"@path\": /foo\n"
      "\"@authority\": example.com\n"
      "\"content-type\": application/json\n"
      "\"content-length\": 18\n"
      "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
      "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
  const std::string kSignature =
      "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";

  std::string params =
      SerializeSignatureParams({"date", "@method", "@path", "@authority", "content-type", "content-length"},
                               {{"created", int64_t{1618884473}}, {"keyid", std::string("test-key-ed25519")}});
  EXPECT_EQ(params,
            "(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\")"
            ";created=1618884473;keyid=\"test-key-ed25519\"");
  std::string base = SignatureBase({{"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
                                    {"@method", "POST"},
                                    {"@path", "/foo"},
                                    {"@authority", "example.com"},
                                    {"content-type", "application/json"},
                                    {"content-length", "18"}},
                                   params);
  EXPECT_EQ(base, kBase);
  keys::Signer key = RfcKey("test-key-ed25519");
  EXPECT_EQ(B64(key.Sign(base)), kSignature);  // Ed25519 is deterministic.
  auto sig = util::Base64Decode(kSignature);
  ASSERT_TRUE(sig && sig->size() == 64);
  keys::Signature s{};
  std::memcpy(s.data(), sig->data(), s.size());
  EXPECT_TRUE(key.verifier().Verify(kBase, s));
}

// --- Our profile.

TEST(HttpSignature, ExactHeadersAndBaseForAFixedKeyTimeAndNonce) {
  keys::Signer key = RfcKey("node-a.example");
  SignatureHeaders h = SignRequestWithNonce(key, "GET", kPath, kQuery, kT0 + absl::Milliseconds(999), kNonce);
  // Derived by hand from RFC 9421 2.2 and 2.5 and RFC 8941 4.1: created is
  // the second (not rounded up), Date the same second.
  const std::string kBase =
      "\"@method\": GET\n"
      "\"@path\": /v1/federation/feed\n"
      "\"@query\": ?after=42&limit=100\n"
      "\"date\": Fri, 15 Jan 2027 08:00:00 GMT\n"
      "\"@signature-params\": (\"@method\" \"@path\" \"@query\" \"date\");created=1800000000"
      ";keyid=\"node-a.example\";alg=\"ed25519\";nonce=\"MDEyMzQ1Njc4OWFiY2RlZg\"";
  EXPECT_EQ(h.date, "Fri, 15 Jan 2027 08:00:00 GMT");
  EXPECT_EQ(h.signature_input,
            "sig1=(\"@method\" \"@path\" \"@query\" \"date\");created=1800000000;keyid=\"node-a.example\""
            ";alg=\"ed25519\";nonce=\"MDEyMzQ1Njc4OWFiY2RlZg\"");
  EXPECT_EQ(h.signature, util::StrCat("sig1=:", B64(key.Sign(kBase)), ":"));

  ParsedSignature p = MustParse(h);
  EXPECT_EQ(p.keyid, "node-a.example");
  EXPECT_EQ(p.nonce, kNonce);
  EXPECT_EQ(p.created, 1800000000);
  EXPECT_EQ(p.params, h.signature_input.substr(5));
  EXPECT_TRUE(key.verifier().Verify(kBase, p.signature));
}

TEST(HttpSignature, EmptyQueryIsAQuestionMarkAlone) {
  keys::Signer key = RfcKey("node-a.example");
  SignatureHeaders h = SignRequestWithNonce(key, "GET", "/v1/federation/checkpoint", "", kT0, kNonce);
  const std::string kBase =
      "\"@method\": GET\n"
      "\"@path\": /v1/federation/checkpoint\n"
      "\"@query\": ?\n"
      "\"date\": Fri, 15 Jan 2027 08:00:00 GMT\n"
      "\"@signature-params\": (\"@method\" \"@path\" \"@query\" \"date\");created=1800000000"
      ";keyid=\"node-a.example\";alg=\"ed25519\";nonce=\"MDEyMzQ1Njc4OWFiY2RlZg\"";
  EXPECT_EQ(h.signature, util::StrCat("sig1=:", B64(key.Sign(kBase)), ":"));
  EXPECT_TRUE(Verify(h, key.verifier(), "GET", "/v1/federation/checkpoint", "").ok());
  // "?" alone and an empty query are the same request; a lone "?" query is not.
  EXPECT_EQ(Verify(h, key.verifier(), "GET", "/v1/federation/checkpoint", "?").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(HttpSignature, RoundTrip) {
  keys::Signer key = keys::Signer::Generate("node-b");
  SignatureHeaders h = SignRequest(key, "GET", kPath, kQuery, kT0);
  EXPECT_TRUE(Verify(h, key.verifier()).ok()) << Verify(h, key.verifier());
  ParsedSignature p = MustParse(h);
  EXPECT_EQ(p.keyid, "node-b");
  EXPECT_EQ(p.nonce.size(), 22u);
  // Fresh nonces.
  EXPECT_NE(MustParse(SignRequest(key, "GET", kPath, kQuery, kT0)).nonce, p.nonce);
  // POST with no query.
  SignatureHeaders post = SignRequest(key, "POST", "/v1/federation/cosign", "", kT0);
  EXPECT_TRUE(Verify(post, key.verifier(), "POST", "/v1/federation/cosign", "").ok());
}

TEST(HttpSignature, AcceptsAnyWellFormedEquivalentSpelling) {
  // Another implementation may order the parameters differently, add other
  // signatures, or space the dictionary differently: the base's last line is
  // rebuilt from the parsed inner list.
  keys::Signer key = RfcKey("node-a.example");
  const std::string params =
      "(\"@method\" \"@path\" \"@query\" \"date\");nonce=\"MDEyMzQ1Njc4OWFiY2RlZg\";alg=\"ed25519\""
      ";created=1800000000;keyid=\"node-a.example\"";
  const std::string base =
      "\"@method\": GET\n\"@path\": /v1/federation/feed\n\"@query\": ?after=42&limit=100\n"
      "\"date\": Fri, 15 Jan 2027 08:00:00 GMT\n\"@signature-params\": " +
      params;
  std::string sig = B64(key.Sign(base));
  SignatureHeaders h;
  h.date = "Fri, 15 Jan 2027 08:00:00 GMT";
  h.signature_input =
      util::StrCat("  proxy=(\"@method\");created=1 ,\tsig1=( \"@method\" \"@path\"  \"@query\" \"date\" )",
                   params.substr(params.find(')') + 1), ", other=?1;x");
  // Standard base64 without its padding is tolerated (RFC 8941 4.2.7).
  h.signature = util::StrCat("sig2=:AAAA:, sig1=:", sig.substr(0, sig.size() - 2), ":;p=1  ");
  auto p = ParseRequestSignature(h.signature_input, h.signature);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->params, params);
  EXPECT_TRUE(Verify(h, key.verifier()).ok()) << Verify(h, key.verifier());
}

// --- Refusals.

TEST(HttpSignature, TamperingAnyCoveredPartFails) {
  keys::Signer key = keys::Signer::Generate("node-a");
  keys::Verifier v = key.verifier();
  SignatureHeaders h = SignRequest(key, "GET", kPath, kQuery, kT0);
  ASSERT_TRUE(Verify(h, v).ok());
  const auto denied = absl::StatusCode::kPermissionDenied;
  EXPECT_EQ(Verify(h, v, "POST").code(), denied);
  EXPECT_EQ(Verify(h, v, "get").code(), denied);
  EXPECT_EQ(Verify(h, v, "GET", "/v1/federation/feeds").code(), denied);
  EXPECT_EQ(Verify(h, v, "GET", "/v1/federation/feed%2F").code(), denied);
  EXPECT_EQ(Verify(h, v, "GET", kPath, "after=43&limit=100").code(), denied);
  EXPECT_EQ(Verify(h, v, "GET", kPath, "").code(), denied);
  {
    SignatureHeaders t = h;  // Another valid date, one second later.
    t.date = FormatHttpDate(kT0 + absl::Seconds(1));
    EXPECT_EQ(Verify(t, v).code(), denied);
  }
  {
    SignatureHeaders t = h;
    size_t at = t.signature_input.find("created=1800000000");
    t.signature_input.replace(at, 18, "created=1800000001");
    EXPECT_EQ(Verify(t, v).code(), denied);
  }
  {
    SignatureHeaders t = h;
    size_t at = t.signature_input.find("nonce=\"") + 7;
    t.signature_input[at] = t.signature_input[at] == 'A' ? 'B' : 'A';
    EXPECT_EQ(Verify(t, v).code(), denied);
  }
  {
    ParsedSignature p = MustParse(h);
    for (size_t i = 0; i < p.signature.size(); i += 7) {
      ParsedSignature t = p;
      t.signature[i] ^= 0x01;
      EXPECT_EQ(VerifyRequestSignature(t, v, "GET", kPath, kQuery, h.date, kT0).code(), denied) << i;
    }
  }
}

TEST(HttpSignature, WrongKeyFails) {
  keys::Signer key = keys::Signer::Generate("node-a");
  keys::Signer other = keys::Signer::Generate("node-a");  // Same name, another key.
  SignatureHeaders h = SignRequest(key, "GET", kPath, kQuery, kT0);
  absl::Status st = Verify(h, other.verifier());
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
  // The key of another node, even one whose signature would verify, is not
  // the key keyid names.
  keys::Signer mallory = keys::Signer::Generate("node-m");
  SignatureHeaders hm = SignRequest(mallory, "GET", kPath, kQuery, kT0);
  keys::Verifier renamed = mallory.verifier();
  renamed.name = "node-a";
  EXPECT_EQ(Verify(hm, renamed).code(), absl::StatusCode::kPermissionDenied);
}

TEST(HttpSignature, StaleCreatedOrDateFails) {
  keys::Signer key = keys::Signer::Generate("node-a");
  keys::Verifier v = key.verifier();
  SignatureHeaders h = SignRequest(key, "GET", kPath, kQuery, kT0);
  const auto stale = absl::StatusCode::kUnauthenticated;
  // Exactly max_skew either way is accepted; a second more is not.
  EXPECT_TRUE(Verify(h, v, "GET", kPath, kQuery, kT0 + absl::Minutes(5)).ok());
  EXPECT_TRUE(Verify(h, v, "GET", kPath, kQuery, kT0 - absl::Minutes(5)).ok());
  absl::Status st = Verify(h, v, "GET", kPath, kQuery, kT0 + absl::Minutes(5) + absl::Seconds(1));
  EXPECT_EQ(st.code(), stale);
  EXPECT_EQ(st.message(), "stale signature");
  EXPECT_EQ(Verify(h, v, "GET", kPath, kQuery, kT0 - absl::Minutes(6)).code(), stale);
  {
    ParsedSignature p = MustParse(h);
    EXPECT_EQ(
        VerifyRequestSignature(p, v, "GET", kPath, kQuery, h.date, kT0 + absl::Seconds(31), absl::Seconds(30)).code(),
        stale);
  }

  const int64_t t0 = absl::ToUnixSeconds(kT0);
  // created fresh, Date too old.
  EXPECT_EQ(Verify(SignWith(key, FormatHttpDate(kT0 - absl::Minutes(6)), t0), v).code(), stale);
  // Date fresh, created too far ahead.
  EXPECT_EQ(Verify(SignWith(key, FormatHttpDate(kT0), t0 + 6 * 60), v).code(), stale);
  // Each within 5 minutes of now, but 8 minutes apart.
  EXPECT_EQ(Verify(SignWith(key, FormatHttpDate(kT0 - absl::Minutes(4)), t0 + 4 * 60), v).code(), stale);
  // Both 4 minutes off the same way: fine.
  EXPECT_TRUE(Verify(SignWith(key, FormatHttpDate(kT0 - absl::Minutes(4)), t0 - 4 * 60), v).ok());
  // Far off created values do not overflow.
  EXPECT_EQ(Verify(SignWith(key, FormatHttpDate(kT0), 999999999999999), v).code(), stale);
  EXPECT_EQ(Verify(SignWith(key, FormatHttpDate(kT0), -999999999999999), v).code(), stale);
}

TEST(HttpSignature, MalformedRequestPartsAreInvalidArgument) {
  keys::Signer key = keys::Signer::Generate("node-a");
  keys::Verifier v = key.verifier();
  SignatureHeaders h = SignRequest(key, "GET", kPath, kQuery, kT0);
  const auto invalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(Verify(h, v, "").code(), invalid);
  EXPECT_EQ(Verify(h, v, "G ET").code(), invalid);
  EXPECT_EQ(Verify(h, v, "GET", "").code(), invalid);
  EXPECT_EQ(Verify(h, v, "GET", "v1/federation/feed").code(), invalid);
  EXPECT_EQ(Verify(h, v, "GET", "/v1/feed?x=1").code(), invalid);
  // A line feed in a value could let two requests share a base.
  EXPECT_EQ(Verify(h, v, "GET", "/a\n\"@query\": ?x").code(), invalid);
  EXPECT_EQ(Verify(h, v, "GET", kPath, "a=1\nb").code(), invalid);
  EXPECT_EQ(Verify(h, v, "GET", kPath, "a b").code(), invalid);
  SignatureHeaders t = h;
  t.date = "Friday, 15-Jan-27 08:00:00 GMT";  // RFC 850: obsolete.
  absl::Status st = Verify(t, v);
  EXPECT_EQ(st.code(), invalid);
  EXPECT_TRUE(absl::StartsWith(st.message(), "Date: ")) << st;
}

TEST(HttpSignature, ParserRefusesWhatTheProfileDoesNotAllow) {
  const std::string kComps = R"(("@method" "@path" "@query" "date"))";
  const std::string kCreated = ";created=1800000000";
  const std::string kKeyid = ";keyid=\"node-a\"";
  const std::string kAlg = ";alg=\"ed25519\"";
  const std::string kNonceParam = util::StrCat(";nonce=\"", kNonce, "\"");
  const std::string kSig = util::StrCat("sig1=:", std::string(86, 'A'), "==:");
  ASSERT_TRUE(ParseRequestSignature(util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam), kSig).ok());

  struct Case {
    std::string input;
    std::string signature;
    std::string message;
  };
  const std::vector<Case> cases = {
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg), kSig, "Signature-Input: missing nonce"},
      {util::StrCat("sig1=", kComps, kCreated, kAlg, kNonceParam), kSig, "Signature-Input: missing keyid"},
      {util::StrCat("sig1=", kComps, kKeyid, kAlg, kNonceParam), kSig, "Signature-Input: missing created"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kNonceParam), kSig, "Signature-Input: missing alg"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, ";alg=\"rsa-pss-sha512\"", kNonceParam), kSig,
       "Signature-Input: alg must be \"ed25519\""},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, ";alg=ed25519", kNonceParam), kSig,
       "Signature-Input: alg is not a string"},
      {util::StrCat("sig1=", kComps, ";created=\"1800000000\"", kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: created is not an integer"},
      {util::StrCat("sig1=", kComps, ";created=1800000000.5", kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: created is not an integer"},
      {util::StrCat("sig1=", kComps, kCreated, ";keyid=\"node+a\"", kAlg, kNonceParam), kSig,
       "Signature-Input: keyid is not a key name"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, ";nonce=\"abc\""), kSig,
       "Signature-Input: nonce must be 128 bits"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, ";nonce=\"MDEyMzQ1Njc4OWFiY2RlZg==\""), kSig,
       "Signature-Input: nonce must be 128 bits"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam, ";expires=1800000300"), kSig,
       "Signature-Input: unexpected parameter \"expires\""},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam, ";tag=\"x\""), kSig,
       "Signature-Input: unexpected parameter \"tag\""},
      // Components: extra, missing, reordered, with parameters, as tokens.
      {util::StrCat(R"(sig1=("@method" "@path" "@query" "date" "host"))", kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: covered components must be exactly"},
      {util::StrCat(R"(sig1=("@method" "@path" "date"))", kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: covered components must be exactly"},
      {util::StrCat(R"(sig1=("@method" "@path" "@query"))", kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: covered components must be exactly"},
      {util::StrCat(R"(sig1=("@path" "@method" "@query" "date"))", kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: covered components must be exactly"},
      {util::StrCat(R"(sig1=("@method" "@path" "@query" "date";sf))", kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: covered components must be exactly"},
      {util::StrCat(R"(sig1=("@method" "@path" "@query" date))", kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: covered components must be exactly"},
      {util::StrCat("sig1=()", kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: covered components must be exactly"},
      // Labels and shapes.
      {"", kSig, "Signature-Input: no sig1 signature"},
      {util::StrCat("sig2=", kComps, kCreated, kKeyid, kAlg, kNonceParam), kSig, "Signature-Input: no sig1 signature"},
      {util::StrCat("sig1=\"x\"", kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: sig1 is not an inner list"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam, ","), kSig,
       "Signature-Input: malformed structured field"},
      {util::StrCat("Sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam), kSig,
       "Signature-Input: malformed structured field"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam), "", "Signature: no sig1 signature"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam), "sig1", "Signature: sig1 is not a byte"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam), "sig1=(:AAAA:)",
       "Signature: sig1 is not a byte"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam),
       "sig1=:AAAA:", "Signature: sig1 is 3 bytes, not 64"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam),
       "sig1=:AA-_:", "Signature: malformed structured field"},
      {util::StrCat("sig1=", kComps, kCreated, kKeyid, kAlg, kNonceParam), util::StrCat(kSig, " x"),
       "Signature: malformed structured field"},
  };
  for (const Case& c : cases) {
    auto p = ParseRequestSignature(c.input, c.signature);
    ASSERT_FALSE(p.ok()) << c.input << " | " << c.signature;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << p.status();
    EXPECT_TRUE(absl::StartsWith(p.status().message(), c.message))
        << p.status() << "\n  wanted: " << c.message << "\n  input: " << c.input << " | " << c.signature;
  }
}

TEST(HttpSignature, RepeatedMembersAndParametersFollowRfc8941) {
  // A repeated key overwrites the earlier value (RFC 8941 4.2.2): the base
  // carries the value that is parsed.
  const std::string comps = R"(("@method" "@path" "@query" "date"))";
  auto p =
      ParseRequestSignature(util::StrCat("sig1=(\"x\"), sig1=", comps,
                                         ";created=1;keyid=\"a\";alg=\"ed25519\";created=2;nonce=\"", kNonce, "\""),
                            util::StrCat("sig1=:", std::string(86, 'A'), "==:"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->created, 2);
  EXPECT_EQ(p->params, util::StrCat(comps, ";created=2;keyid=\"a\";alg=\"ed25519\";nonce=\"", kNonce, "\""));
}

// --- Fuzz-ish: no input crashes the parser, and none gets through wrongly.

TEST(HttpSignature, TruncationsOfValidHeadersAreInvalidArgument) {
  keys::Signer key = keys::Signer::Generate("node-a");
  SignatureHeaders h = SignRequest(key, "GET", kPath, kQuery, kT0);
  ASSERT_TRUE(ParseRequestSignature(h.signature_input, h.signature).ok());
  for (size_t n = 0; n < h.signature_input.size(); ++n) {
    auto p = ParseRequestSignature(h.signature_input.substr(0, n), h.signature);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << n;
  }
  for (size_t n = 0; n < h.signature.size(); ++n) {
    auto p = ParseRequestSignature(h.signature_input, h.signature.substr(0, n));
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << n;
  }
}

TEST(HttpSignature, MutationsNeverCrashAndNeverVerifyWhenTheyChangeSomething) {
  keys::Signer key = keys::Signer::Generate("node-a");
  keys::Verifier v = key.verifier();
  SignatureHeaders h = SignRequest(key, "GET", kPath, kQuery, kT0);
  const ParsedSignature original = MustParse(h);
  std::mt19937 rng(20270115);  // Fixed seed: reproducible.
  auto mutate = [&rng](std::string s) {
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      size_t at = s.empty() ? 0 : rng() % s.size();
      char byte = static_cast<char>(rng() % 256);
      switch (rng() % 4) {
        case 0:
          if (!s.empty()) s[at] = byte;
          break;
        case 1:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), byte);
          break;
        case 2:
          if (!s.empty()) s.erase(at, 1);
          break;
        default:  // A structural character, the likeliest to confuse a parser.
          if (!s.empty()) s[at] = "\"():;=,? \\*-.0a"[rng() % 15];
          break;
      }
    }
    return s;
  };
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    bool input_side = i % 2 == 0;
    std::string input = input_side ? mutate(h.signature_input) : h.signature_input;
    std::string sig = input_side ? h.signature : mutate(h.signature);
    auto p = ParseRequestSignature(input, sig);
    if (!p.ok()) {
      ASSERT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << p.status();
      continue;
    }
    ++parsed;
    absl::Status st = VerifyRequestSignature(*p, v, "GET", kPath, kQuery, h.date, kT0);
    bool same = p->params == original.params && p->signature == original.signature && p->keyid == original.keyid;
    if (same) {
      EXPECT_TRUE(st.ok()) << st << "\n" << input << "\n" << sig;
    } else {
      EXPECT_FALSE(st.ok()) << input << "\n" << sig;
    }
  }
  EXPECT_GT(parsed, 0);  // Some mutations (whitespace, other members) still parse.

  // Random bytes.
  for (int i = 0; i < 5000; ++i) {
    std::string a(rng() % 64, '\0'), b(rng() % 64, '\0');
    for (char& c : a) c = static_cast<char>(rng() % 256);
    for (char& c : b) c = static_cast<char>(rng() % 256);
    EXPECT_EQ(ParseRequestSignature(a, b).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// --- Dates.

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(absl::FromUnixSeconds(784111777)), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110.
  EXPECT_EQ(FormatHttpDate(absl::FromUnixSeconds(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(absl::FromUnixSeconds(951782400)), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(kT0 + absl::Milliseconds(999)), "Fri, 15 Jan 2027 08:00:00 GMT");
}

TEST(HttpDate, ParsesOnlyImfFixdate) {
  auto t = ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixSeconds(784111777));
  for (int64_t s : {int64_t{0}, int64_t{951782400}, int64_t{1800000000}, int64_t{4102444799}}) {
    auto r = ParseHttpDate(FormatHttpDate(absl::FromUnixSeconds(s)));
    ASSERT_TRUE(r.ok()) << s;
    EXPECT_EQ(*r, absl::FromUnixSeconds(s));
  }
  // A leap second is the next minute's first.
  auto leap = ParseHttpDate("Sat, 31 Dec 2016 23:59:60 GMT");
  ASSERT_TRUE(leap.ok());
  EXPECT_EQ(*leap, absl::FromUnixSeconds(1483228800));
  for (const char* bad : {
           "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
           "Sun Nov  6 08:49:37 1994",        // asctime
           "Mon, 06 Nov 1994 08:49:37 GMT",   // wrong day name
           "sun, 06 Nov 1994 08:49:37 GMT",   // case
           "Sun, 06 nov 1994 08:49:37 GMT",   //
           "Sun, 06 Nov 1994 08:49:37 UTC",   //
           "Sun, 06 Nov 1994 24:00:00 GMT",   //
           "Sun, 06 Nov 1994 08:60:00 GMT",   //
           "Sun, 06 Nov 1994 08:49:61 GMT",   //
           "Thu, 30 Feb 1995 08:49:37 GMT",   // no such day
           "Sun, 6 Nov 1994 08:49:37 GMT",    //
           "Sun, 06 Nov 1994 08:49:37 GMT ",  //
           " Sun, 06 Nov 1994 08:49:37 GMT",  //
           "Sun, 06 Nov 1994 08:49:3x GMT",   //
           "Sun, 06 Nov +994 08:49:37 GMT",   //
           "",                                //
       }) {
    EXPECT_EQ(ParseHttpDate(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// --- Replays.

TEST(ReplayGuard, RefusesAReplayAndForgetsItAfterTheWindow) {
  ReplayGuard guard(absl::Minutes(5));
  const int64_t c = absl::ToUnixSeconds(kT0);
  EXPECT_TRUE(guard.Admit("node-a", kNonce, c, kT0).ok());
  absl::Status st = guard.Admit("node-a", kNonce, c, kT0 + absl::Seconds(30));
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), "replayed nonce");
  // The replay is refused whatever created it claims (it would not verify
  // anyway, but the nonce is what is remembered).
  EXPECT_EQ(guard.Admit("node-a", kNonce, c + 60, kT0 + absl::Minutes(1)).code(), absl::StatusCode::kAlreadyExists);
  // The same nonce from another node is another request.
  EXPECT_TRUE(guard.Admit("node-b", kNonce, c, kT0).ok());
  // Still remembered at the last instant the original could verify.
  EXPECT_EQ(guard.Admit("node-a", kNonce, c, kT0 + absl::Minutes(5)).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(guard.size(), 2u);
  // After the window the original is stale, so it is forgotten.
  const absl::Time later = kT0 + absl::Minutes(5) + absl::Seconds(1);
  EXPECT_EQ(guard.Admit("node-a", kNonce, c, later).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(guard.size(), 0u);
  EXPECT_TRUE(guard.Admit("node-a", kNonce, absl::ToUnixSeconds(later), later).ok());
  EXPECT_EQ(guard.size(), 1u);
}

TEST(ReplayGuard, RefusesCreatedOutsideTheWindow) {
  ReplayGuard guard(absl::Minutes(5));
  const int64_t c = absl::ToUnixSeconds(kT0);
  EXPECT_EQ(guard.Admit("a", kNonce, c - 301, kT0).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(guard.Admit("a", kNonce, c + 301, kT0).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(guard.Admit("a", kNonce, -999999999999999, kT0).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(guard.Admit("a", kNonce, c + 300, kT0).ok());  // A peer's clock ahead: kept until c + 600.
  EXPECT_EQ(guard.Admit("a", kNonce, c + 300, kT0 + absl::Minutes(10)).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(guard.size(), 1u);
}

TEST(ReplayGuard, KeyAndNonceAreNotConfused) {
  ReplayGuard guard;
  const int64_t c = absl::ToUnixSeconds(kT0);
  EXPECT_TRUE(guard.Admit("ab", "c", c, kT0).ok());
  EXPECT_TRUE(guard.Admit("a", "bc", c, kT0).ok());
}

TEST(ReplayGuard, IsBoundedAndRefusesRatherThanForgetsLiveEntries) {
  ReplayGuard guard(absl::Minutes(5), 3);
  const int64_t c = absl::ToUnixSeconds(kT0);
  for (std::string n : {"n1", "n2", "n3"}) EXPECT_TRUE(guard.Admit("a", n, c, kT0).ok());
  EXPECT_EQ(guard.Admit("a", "n4", c, kT0).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(guard.Admit("a", "n1", c, kT0).code(), absl::StatusCode::kAlreadyExists);  // Not forgotten.
  EXPECT_EQ(guard.size(), 3u);
  const absl::Time later = kT0 + absl::Minutes(6);
  EXPECT_TRUE(guard.Admit("a", "n4", absl::ToUnixSeconds(later), later).ok());
  EXPECT_EQ(guard.size(), 1u);
}

TEST(ReplayGuard, ConcurrentAdmitsLetEachNonceThroughOnce) {
  ReplayGuard guard;
  const int64_t c = absl::ToUnixSeconds(kT0);
  constexpr int kThreads = 8, kNonces = 500;
  std::atomic<int> admitted{0}, replayed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kNonces; ++i) {
        absl::Status st = guard.Admit("node-a", util::StrCat("n", i), c, kT0);
        if (st.ok()) {
          ++admitted;
        } else if (st.code() == absl::StatusCode::kAlreadyExists) {
          ++replayed;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), kNonces);
  EXPECT_EQ(replayed.load(), kNonces * (kThreads - 1));
  EXPECT_EQ(guard.size(), static_cast<size_t>(kNonces));
}

}  // namespace
}  // namespace aisafe::federation
