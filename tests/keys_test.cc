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

}  // namespace
}  // namespace aisafe::keys
