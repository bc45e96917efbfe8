// Ed25519 keys in the C2SP signed-note formats, for nodes and for the humans
// who sign oversight decisions (libsodium).
//
//   verifier key:  <name>+<key id, 8 hex>+<base64(0x01 || 32-byte public key)>
//   signer key:    PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte seed)>
//   key id:        first 4 bytes of SHA-256(<name> || 0x0A || <type> || public key)
//
// The signature type byte is 0x01 (Ed25519 note signatures) everywhere except
// for witness cosignatures (c2sp.org/tlog-cosignature, type 0x04): the same
// Ed25519 key then has a different key id and a "+BASE64(0x04 || key)"
// verifier key. Node and human keys are always type 0x01.
//
// These are the formats of golang.org/x/mod/sumdb/note and every C2SP tool,
// so `aisafe key` output can be given to any signed-note verifier.
// Thread-safe: all functions are pure; libsodium is initialised once.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace aisafe::keys {

inline constexpr uint8_t kAlgEd25519 = 0x01;
inline constexpr uint8_t kAlgCosignatureV1 = 0x04;

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

// Key names: non-empty, no '+', no whitespace or control characters (C2SP
// signed-note). Returns InvalidArgument naming the problem.
absl::Status CheckKeyName(std::string_view name);

// The 4-byte key id of an Ed25519 key, as a big-endian integer.
uint32_t KeyId(std::string_view name, const PublicKey& key);
// The same for signature type `alg` (kAlgEd25519 or kAlgCosignatureV1).
uint32_t KeyId(std::string_view name, uint8_t alg, const PublicKey& key);

// A parsed verifier key. `alg` is the signature type the key id was computed
// with; Verify() is plain Ed25519 whatever `alg` is (the cosignature/v1
// message framing lives in log/note.h).
struct Verifier {
  std::string name;
  uint32_t key_id = 0;
  PublicKey key{};
  uint8_t alg = kAlgEd25519;

  // Checks an Ed25519 signature of `message`.
  bool Verify(std::string_view message, const Signature& sig) const;
  std::string Encode() const;
};

// Parses "name+hex8+base64"; checks the algorithm byte and that the key id
// matches the name and key. InvalidArgument saying which part is wrong.
// Accepts type 0x01 only (node and human keys).
absl::StatusOr<Verifier> ParseVerifierKey(std::string_view text);

// As ParseVerifierKey, for keys that verify signed notes: accepts type 0x01
// (Ed25519 note signatures) and type 0x04 (cosignature/v1 witnesses); the
// key id is checked with the key's own type byte.
absl::StatusOr<Verifier> ParseNoteVerifierKey(std::string_view text);

// A signing key. The seed stays in memory as long as the object lives.
class Signer {
 public:
  // A new random key pair.
  static Signer Generate(std::string name);
  // Parses "PRIVATE+KEY+name+hex8+base64(0x01||seed)".
  static absl::StatusOr<Signer> Parse(std::string_view text);

  const std::string& name() const { return name_; }
  const PublicKey& public_key() const { return public_key_; }
  uint32_t key_id() const { return KeyId(name_, public_key_); }

  Signature Sign(std::string_view message) const;
  Verifier verifier() const;
  // The same public key as a cosignature/v1 witness key: alg 0x04, key id
  // computed with 0x04.
  Verifier cosignature_verifier() const;
  // The signer key text. Contains the secret: write it only to a 0600 file.
  std::string Encode() const;

 private:
  Signer() = default;
  std::string name_;
  std::array<uint8_t, 32> seed_{};
  PublicKey public_key_{};
  std::array<uint8_t, 64> secret_{};  // libsodium's seed || public key form.
};

}  // namespace aisafe::keys
