#include "keys/keys.h"

#include <gtest/gtest.h>

#include "util/base64.h"

namespace aisafe::keys {
namespace {

// A verifier key from the Go sumdb/note package's documentation and tests
// (golang.org/x/mod/sumdb/note): name PeterNeumann, key id c74f20a3.
constexpr char kGoVerifier[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kGoSigner[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

TEST(Keys, ParsesTheGoNotePackagesKeys) {
  auto v = ParseVerifierKey(kGoVerifier);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->name, "PeterNeumann");
  EXPECT_EQ(v->key_id, 0xc74f20a3u);
  EXPECT_EQ(v->Encode(), kGoVerifier);
  auto s = Signer::Parse(kGoSigner);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->verifier().Encode(), kGoVerifier);
  EXPECT_EQ(s->Encode(), kGoSigner);
}

TEST(Keys, SignAndVerify) {
  Signer s = Signer::Generate("my-mcmc");
  Signature sig = s.Sign("hello");
  auto v = ParseVerifierKey(s.verifier().Encode());
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->Verify("hello", sig));
  EXPECT_FALSE(v->Verify("hellp", sig));
  sig[0] ^= 1;
  EXPECT_FALSE(v->Verify("hello", sig));
  auto round = Signer::Parse(s.Encode());
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->public_key(), s.public_key());
}

TEST(Keys, RejectsMalformedKeys) {
  EXPECT_FALSE(ParseVerifierKey("nokeyid").ok());
  EXPECT_FALSE(ParseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());  // id
  EXPECT_FALSE(ParseVerifierKey("PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());  // name
  EXPECT_FALSE(ParseVerifierKey("PeterNeumann+c74f20a3+AhpcOQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());  // alg
  EXPECT_FALSE(ParseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq").ok());               // short
  EXPECT_FALSE(ParseVerifierKey("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(Signer::Parse("PRIVATE+KEY+x").ok());
  EXPECT_FALSE(Signer::Parse(kGoVerifier).ok());
}

TEST(Keys, KeyNames) {
  EXPECT_TRUE(CheckKeyName("sg-aisi").ok());
  EXPECT_FALSE(CheckKeyName("").ok());
  EXPECT_FALSE(CheckKeyName("a+b").ok());
  EXPECT_FALSE(CheckKeyName("a b").ok());
}

TEST(Keys, CosignatureKeys) {
  // witness.example.org from FiloSottile/sunlight's test data (see
  // tests/data/tlog/SOURCES.md): the same public key has key id b8a2cf20 as
  // a cosignature/v1 key (type 0x04) and 38236b08 as a note key (type 0x01).
  constexpr char kWitness[] = "witness.example.org+b8a2cf20+BFLN3yikSfFkVAJtrnh/CiY3Zozkoy7clp+P7XB28qUN";
  auto w = ParseNoteVerifierKey(kWitness);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->alg, kAlgCosignatureV1);
  EXPECT_EQ(w->key_id, 0xb8a2cf20u);
  EXPECT_EQ(KeyId(w->name, kAlgCosignatureV1, w->key), 0xb8a2cf20u);
  EXPECT_EQ(KeyId(w->name, w->key), 0x38236b08u);
  EXPECT_EQ(KeyId(w->name, kAlgEd25519, w->key), 0x38236b08u);
  EXPECT_EQ(w->Encode(), kWitness);
  // The strict parser (node and human keys) refuses type 0x04.
  EXPECT_FALSE(ParseVerifierKey(kWitness).ok());
  // A type 0x04 key with the type 0x01 key id is refused.
  EXPECT_FALSE(ParseNoteVerifierKey("witness.example.org+38236b08+BFLN3yikSfFkVAJtrnh/CiY3Zozkoy7clp+P7XB28qUN").ok());
  auto plain = ParseNoteVerifierKey(kGoVerifier);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->alg, kAlgEd25519);
  EXPECT_EQ(plain->Encode(), kGoVerifier);
  // Other types (0x02 ECDSA, 0x05 RFC 6962) are refused.
  EXPECT_FALSE(ParseNoteVerifierKey("PeterNeumann+c74f20a3+AhpcOQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());

  Signer s = Signer::Generate("example.com/witness");
  Verifier cv = s.cosignature_verifier();
  EXPECT_EQ(cv.alg, kAlgCosignatureV1);
  EXPECT_EQ(cv.key, s.public_key());
  EXPECT_EQ(cv.key_id, KeyId(s.name(), kAlgCosignatureV1, s.public_key()));
  EXPECT_NE(cv.key_id, s.key_id());
  auto round = ParseNoteVerifierKey(cv.Encode());
  ASSERT_TRUE(round.ok()) << round.status();
  EXPECT_EQ(round->key_id, cv.key_id);
  EXPECT_EQ(round->alg, kAlgCosignatureV1);
  EXPECT_EQ(s.verifier().alg, kAlgEd25519);
}

}  // namespace
}  // namespace aisafe::keys
