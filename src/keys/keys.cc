#include "keys/keys.h"

#include <sodium.h>

#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "util/base64.h"
#include "util/hex.h"
#include "util/sha256.h"

namespace aisafe::keys {
namespace {

void InitSodium() {
  static const bool kSodiumReady = sodium_init() >= 0;
  if (!kSodiumReady) std::abort();
}

std::string_view AsChars(const uint8_t* p, size_t n) { return std::string_view(reinterpret_cast<const char*>(p), n); }

absl::StatusOr<uint32_t> ParseKeyId(std::string_view hex) {
  if (hex.size() != 8) return absl::InvalidArgumentError("key id must be 8 hex digits");
  auto bytes = util::FromHex(hex);
  if (!bytes) return absl::InvalidArgumentError("key id is not hex");
  uint32_t id = 0;
  for (char c : *bytes) id = (id << 8) | static_cast<uint8_t>(c);
  return id;
}

// Splits "a+b+rest" at its first two '+' (base64 may itself hold '+').
bool SplitKey(std::string_view text, std::string_view parts[3]) {
  size_t a = text.find('+');
  if (a == std::string_view::npos) return false;
  size_t b = text.find('+', a + 1);
  if (b == std::string_view::npos) return false;
  parts[0] = text.substr(0, a);
  parts[1] = text.substr(a + 1, b - a - 1);
  parts[2] = text.substr(b + 1);
  return true;
}

}  // namespace

absl::Status CheckKeyName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("key name is empty");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '+') return absl::InvalidArgumentError("key name contains '+'");
    if (u <= 0x20 || u == 0x7f) {
      return absl::InvalidArgumentError("key name contains whitespace or a control character");
    }
  }
  return absl::OkStatus();
}

uint32_t KeyId(std::string_view name, const PublicKey& key) { return KeyId(name, kAlgEd25519, key); }

uint32_t KeyId(std::string_view name, uint8_t alg, const PublicKey& key) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(alg));
  input.append(AsChars(key.data(), key.size()));
  util::Digest d = util::Sha256(input);
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
}

bool Verifier::Verify(std::string_view message, const Signature& sig) const {
  InitSodium();
  return crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     key.data()) == 0;
}

std::string Verifier::Encode() const {
  std::string blob(1, static_cast<char>(alg));
  blob.append(AsChars(key.data(), key.size()));
  return absl::StrFormat("%s+%08x+%s", name, key_id, util::Base64Encode(blob));
}

namespace {

absl::StatusOr<Verifier> ParseKey(std::string_view text, bool allow_cosignature) {
  std::string_view parts[3];
  if (!SplitKey(text, parts)) {
    return absl::InvalidArgumentError("verifier key must be NAME+KEYID+BASE64");
  }
  Verifier v;
  v.name = std::string(parts[0]);
  if (auto st = CheckKeyName(v.name); !st.ok()) return st;
  auto id = ParseKeyId(parts[1]);
  if (!id.ok()) return id.status();
  auto blob = util::Base64Decode(parts[2]);
  if (!blob) return absl::InvalidArgumentError("verifier key's key data is not valid base64");
  const auto alg = blob->empty() ? uint8_t{0} : static_cast<uint8_t>((*blob)[0]);
  const bool alg_ok = alg == kAlgEd25519 || (allow_cosignature && alg == kAlgCosignatureV1);
  if (blob->size() != 33 || !alg_ok) {
    return absl::InvalidArgumentError(allow_cosignature
                                          ? "verifier key is not an Ed25519 note key (type 0x01) or "
                                            "cosignature/v1 key (type 0x04) with a 32-byte public key"
                                          : "verifier key is not an Ed25519 key (algorithm 0x01, 32 bytes)");
  }
  v.alg = alg;
  std::copy(blob->begin() + 1, blob->end(), v.key.begin());
  v.key_id = KeyId(v.name, v.alg, v.key);
  if (v.key_id != *id) return absl::InvalidArgumentError("verifier key's key id does not match its name and key");
  return v;
}

}  // namespace

absl::StatusOr<Verifier> ParseVerifierKey(std::string_view text) { return ParseKey(text, false); }

absl::StatusOr<Verifier> ParseNoteVerifierKey(std::string_view text) { return ParseKey(text, true); }

Signer Signer::Generate(std::string name) {
  InitSodium();
  Signer s;
  s.name_ = std::move(name);
  randombytes_buf(s.seed_.data(), s.seed_.size());
  crypto_sign_seed_keypair(s.public_key_.data(), s.secret_.data(), s.seed_.data());
  return s;
}

absl::StatusOr<Signer> Signer::Parse(std::string_view text) {
  InitSodium();
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return absl::InvalidArgumentError("signer key must start with PRIVATE+KEY+");
  }
  text.remove_prefix(kPrefix.size());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  std::string_view parts[3];
  if (!SplitKey(text, parts)) return absl::InvalidArgumentError("signer key must be PRIVATE+KEY+NAME+KEYID+BASE64");
  Signer s;
  s.name_ = std::string(parts[0]);
  if (auto st = CheckKeyName(s.name_); !st.ok()) return st;
  auto id = ParseKeyId(parts[1]);
  if (!id.ok()) return id.status();
  auto blob = util::Base64Decode(parts[2]);
  if (!blob || blob->size() != 33 || static_cast<uint8_t>((*blob)[0]) != kAlgEd25519) {
    return absl::InvalidArgumentError("signer key data is not an Ed25519 seed");
  }
  std::copy(blob->begin() + 1, blob->end(), s.seed_.begin());
  sodium_memzero(blob->data(), blob->size());
  crypto_sign_seed_keypair(s.public_key_.data(), s.secret_.data(), s.seed_.data());
  if (KeyId(s.name_, s.public_key_) != *id) {
    return absl::InvalidArgumentError("signer key's key id does not match its name and key");
  }
  return s;
}

Signature Signer::Sign(std::string_view message) const {
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_.data());
  return sig;
}

Verifier Signer::verifier() const {
  Verifier v;
  v.name = name_;
  v.key = public_key_;
  v.key_id = key_id();
  return v;
}

Verifier Signer::cosignature_verifier() const {
  Verifier v;
  v.name = name_;
  v.key = public_key_;
  v.alg = kAlgCosignatureV1;
  v.key_id = KeyId(name_, kAlgCosignatureV1, public_key_);
  return v;
}

std::string Signer::Encode() const {
  std::string blob(1, static_cast<char>(kAlgEd25519));
  blob.append(AsChars(seed_.data(), seed_.size()));
  std::string out = absl::StrFormat("PRIVATE+KEY+%s+%08x+%s", name_, key_id(), util::Base64Encode(blob));
  sodium_memzero(blob.data(), blob.size());
  return out;
}

}  // namespace aisafe::keys
