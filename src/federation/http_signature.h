// HTTP Message Signatures (RFC 9421) on federation requests: a node asking a
// peer signs the request with its node key (Ed25519), so the peer knows which
// node asks and can apply that node's access.
//
// The profile (another implementation must produce and accept exactly this):
//
//   Signature-Input: sig1=("@method" "@path" "@query" "date");created=<int>;keyid="<name>";alg="ed25519";nonce="<n>"
//   Signature:       sig1=:<base64 of the 64-byte Ed25519 signature>:
//   Date:            <IMF-fixdate of the signing time, RFC 9110 5.6.7>
//
//   - Label `sig1`. Both fields are RFC 8941 dictionaries (other members are
//     parsed, must be well formed, and are ignored).
//   - Covered components, exactly these, in this order, without parameters:
//     "@method" "@path" "@query" "date".
//   - Parameters, signed in this order (accepted in any order, no others):
//     created: sf-integer, Unix seconds of the signing time (the Date header
//       is generated from the same second);
//     keyid:   sf-string, the asking node's name, which is also its key name
//       (C2SP key name rules: no '+', no whitespace);
//     alg:     sf-string "ed25519" (RFC 9421 3.3.6);
//     nonce:   sf-string, 128 random bits in base64url without padding (22
//       characters).
//   - Component values (RFC 9421 2.2): @method is the method as sent, no case
//     change (our methods are uppercase); @path is the request path as sent,
//     not decoded, starting with '/'; @query is "?" followed by the raw query
//     string as sent, and "?" alone when there is no query (RFC 9421 2.2.7);
//     date is the Date header's value.
//   - Signature base (RFC 9421 2.5): one line `"<name>": <value>` per covered
//     component in order, then `"@signature-params": <the inner list as
//     serialized by RFC 8941 4.1>`, joined by "\n", with no trailing newline.
//     The verifier re-serializes the received inner list (parameters in the
//     order received) to rebuild that last line.
//   - Ed25519 (RFC 8032, no prehash) over the signature base bytes; the
//     Signature value is an sf-binary (standard base64 with padding; padding
//     is tolerated when missing).
//
// Verification refuses, in this order: malformed request parts
// (InvalidArgument), a signature that does not verify with the key named by
// keyid (PermissionDenied), and a stale request (Unauthenticated "stale
// signature": Date, created and now must be pairwise within max_skew).
// Replays within the window are refused by ReplayGuard, which the caller
// consults after a successful verification.
//
// Thread-safety: the functions are pure; ReplayGuard is internally locked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "keys/keys.h"

namespace aisafe::federation {

inline constexpr std::string_view kSignatureLabel = "sig1";
inline constexpr std::string_view kSignatureAlg = "ed25519";

// The values of the Date, Signature-Input and Signature header fields.
struct SignatureHeaders {
  std::string date;
  std::string signature_input;
  std::string signature;
};

// Signs a request at time `now` with a fresh random nonce. `method` as sent
// ("GET"), `path` the raw path as sent ("/v1/federation/feed"), `query` the
// raw query string without '?' ("" for none). keyid is key.name(). Values
// the verifier refuses (a path not starting with '/', control characters)
// give headers that never verify.
SignatureHeaders SignRequest(const keys::Signer& key, std::string_view method, std::string_view path,
                             std::string_view query, absl::Time now);

// The sig1 signature of a request, as parsed from its two header fields.
struct ParsedSignature {
  std::string keyid;
  std::string nonce;
  int64_t created = 0;
  // The serialized inner list (RFC 8941), the value of the base's
  // "@signature-params" line.
  std::string params;
  keys::Signature signature{};
};

// Parses the Signature-Input and Signature field values (each the combined
// value of all its field lines). Both must be well-formed RFC 8941
// dictionaries with a `sig1` member; Signature-Input's must be an inner list
// covering exactly the profile's components with created, keyid, alg
// "ed25519" and nonce and no other parameter; Signature's a 64-byte
// sf-binary. InvalidArgument naming the field and what is wrong
// ("Signature-Input: missing nonce"). Any input is safe to give.
absl::StatusOr<ParsedSignature> ParseRequestSignature(std::string_view signature_input, std::string_view signature);

// Verifies `sig` for a request with `method`, `path`, `query` (as for
// SignRequest) and the Date header value `date`, against `key`:
//   InvalidArgument  method not an RFC 9110 token, path not starting with
//                    '/' or with characters outside visible ASCII, query with
//                    such characters, Date not an IMF-fixdate;
//   PermissionDenied keyid is not key.name, or the Ed25519 signature does
//                    not verify (any covered part changed);
//   Unauthenticated  "stale signature": Date or created further than
//                    max_skew from `now`, or created further than max_skew
//                    from Date.
// Requires max_skew >= 0.
absl::Status VerifyRequestSignature(const ParsedSignature& sig, const keys::Verifier& key, std::string_view method,
                                    std::string_view path, std::string_view query, std::string_view date,
                                    absl::Time now, absl::Duration max_skew = absl::Minutes(5));

// Remembers the (keyid, nonce) pairs of verified requests so that a replay is
// refused while the original could still be accepted: an entry lives until
// created + window, so `window` must be at least the max_skew given to
// VerifyRequestSignature.
//
// Memory is bounded: entries are forgotten once expired, and at most
// `max_entries` live ones are kept; beyond that new requests are refused
// (ResourceExhausted) rather than forgetting live entries, which would let
// their replays through. Each entry keeps a 128-bit digest of the pair, not
// the pair itself (about 100 bytes an entry all told).
//
// Call Admit only after VerifyRequestSignature succeeded, so that only
// authenticated peers can fill the guard.
//
// Time is the caller's `now`. If it steps back, entries forgotten at the later
// time stay forgotten (a replay is possible within the size of the step).
//
// Thread-safe: one mutex, held for a hash lookup and the removal of expired
// entries (amortised O(log n) each).
class ReplayGuard {
 public:
  // Default: 1,000,000 entries.
  static constexpr size_t kDefaultMaxEntries = 1000000;

  explicit ReplayGuard(absl::Duration window = absl::Minutes(5), size_t max_entries = kDefaultMaxEntries);
  ReplayGuard(const ReplayGuard&) = delete;
  ReplayGuard& operator=(const ReplayGuard&) = delete;

  // OK and remembered if (keyid, nonce) is not live; AlreadyExists "replayed
  // nonce" if it is; Unauthenticated "stale signature" if `created` is
  // further than the window from `now` (it could not be remembered long
  // enough); ResourceExhausted when max_entries live entries are kept.
  absl::Status Admit(std::string_view keyid, std::string_view nonce, int64_t created, absl::Time now);

  // Entries kept now, including expired ones until the next Admit drops them.
  size_t size() const;

 private:
  using Key = std::pair<uint64_t, uint64_t>;  // First 128 bits of SHA-256(keyid, nonce).
  using Expiry = std::pair<absl::Time, Key>;

  void ForgetExpired(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration window_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<Key, absl::Time> expires_ ABSL_GUARDED_BY(mu_);
  // Min-heap by expiry time: the next entry to forget on top.
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> by_expiry_ ABSL_GUARDED_BY(mu_);
};

// IMF-fixdate (RFC 9110 5.6.7), "Sun, 06 Nov 1994 08:49:37 GMT"; the time is
// truncated to the second.
std::string FormatHttpDate(absl::Time t);

// Parses an IMF-fixdate strictly: the exact layout, a real calendar date, the
// day name matching the date, hour 00-23, minute 00-59, second 00-60 (60 is
// a leap second, taken as the next minute's 00). The obsolete RFC 850 and
// asctime forms are refused. InvalidArgument otherwise.
absl::StatusOr<absl::Time> ParseHttpDate(std::string_view text);

// The generic pieces, exposed for the RFC 9421 test vectors.
namespace http_signature_internal {

// A parameter value: an sf-integer or an sf-string.
using ParamValue = std::variant<int64_t, std::string>;

// The RFC 8941 serialization of an inner list of sf-string component names
// with parameters: ("@method" "date");created=1;keyid="k". Requires string
// values of printable ASCII and keys per RFC 8941.
std::string SerializeSignatureParams(const std::vector<std::string>& components,
                                     const std::vector<std::pair<std::string, ParamValue>>& params);

// RFC 9421 2.5: `"<name>": <value>` per (name, value), then
// `"@signature-params": <params>`, joined by "\n". Names are plain
// component names (no component parameters).
std::string SignatureBase(const std::vector<std::pair<std::string, std::string>>& components,
                          std::string_view signature_params);

// SignRequest with a given nonce, for known-answer tests.
SignatureHeaders SignRequestWithNonce(const keys::Signer& key, std::string_view method, std::string_view path,
                                      std::string_view query, absl::Time now, std::string_view nonce);

}  // namespace http_signature_internal
}  // namespace aisafe::federation
