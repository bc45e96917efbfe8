// Who a caller is and what it may see or submit: roles, the one visibility
// policy every read path applies (PRODUCT.md, "Sharing rules"), the
// contributor's marking cap, API tokens, token lifetimes and principal names.
// Pure logic: no storage, no HTTP (docs/auth.md).
//
// The visibility policy exists once, as MaySee. Stores and search indexes
// that must filter inside a query use VisibleTo/Contains, which are derived
// from the same rule, so a record shown by GET /v1/records/{id} and a record
// returned by a listing or a search cannot disagree.
//
// API tokens are "aisafe_" + 43 characters of unpadded base64url (32 random
// bytes). The secret is shown once; a node keeps only SHA-256(secret) and
// the public token id (the first 16 hex digits of that hash).
//
// Errors: Unauthenticated for a missing, malformed or unusable credential;
// PermissionDenied for a known caller that may not do something;
// InvalidArgument for bad operator input (expiry, principal names). No
// message ever contains a presented token.
//
// Thread-safe: every function is a pure function of its arguments, except
// GenerateToken, which reads the system's CSPRNG (also thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "records/record.h"
#include "util/sha256.h"

namespace aisafe::auth {

// ---------------------------------------------------------------- roles

// kPublic is the unauthenticated caller; it is never stored for a principal.
enum class Role { kPublic, kContributor, kAnalyst, kAdmin };

// Accepts exactly "admin", "analyst" or "contributor" (the roles a principal
// can be given); nullopt otherwise, including for "public".
std::optional<Role> ParseRole(std::string_view text);
// "public", "contributor", "analyst" or "admin".
std::string_view RoleName(Role role);
// Staff roles see amber and (on their own node) red records: admin, analyst.
bool IsStaff(Role role);

// The principal a request or command acts for.
struct Caller {
  std::string name;  // Empty for the public caller.
  Role role = Role::kPublic;
};

// The unauthenticated caller.
Caller Public();

// ----------------------------------------------------------- visibility

// True if `caller` may see a record marked `tlp` whose origin is
// `record_origin`, on the node named `node_name`:
//
//   clear         everyone
//   green         every authenticated principal (contributor, analyst, admin)
//   amber         staff (admin, analyst)
//   amber+strict  staff (admin, analyst)
//   red           staff, and only if record_origin == node_name; a red record
//                 of another origin is shown to nobody
bool MaySee(const Caller& caller, records::Tlp tlp, std::string_view record_origin, std::string_view node_name);

// The same policy as a query: a record is visible if its marking is in
// `markings` (whatever its origin), or if it is red, `red_of_own_origin` is
// set and its origin is the node's own name. A store translates it to, e.g.,
// `tlp IN (markings) OR (tlp = 'red' AND origin = :node_name)`.
struct VisibleSet {
  std::vector<records::Tlp> markings;  // In the order of records::Tlp.
  bool red_of_own_origin = false;
};

VisibleSet VisibleTo(const Caller& caller);

// Evaluates a VisibleSet for one record. For every caller, marking and
// origin: Contains(VisibleTo(c), tlp, o, n) == MaySee(c, tlp, o, n).
bool Contains(const VisibleSet& set, records::Tlp tlp, std::string_view record_origin, std::string_view node_name);

// ------------------------------------------------------------ federation

// May node `sender` pass a record (of `origin`, marked `tlp`, with
// `audience`) to node `receiver` in a federation feed? PRODUCT.md's table,
// first two columns:
//   clear         yes, to anyone, also an unidentified asker (nullopt)
//   green         to any identified network member; relayed too
//   amber,        only from its origin (origin == sender), only to a node
//   amber+strict  named in `audience`; never relayed
//   red           never
// A record is never sent back to its own origin. The sender asks this of
// every record it serves and the receiver asks it again of every record it
// receives, so neither has to trust the other's reading of the rules.
bool MayFederate(records::Tlp tlp, const std::vector<std::string>& audience, std::string_view origin,
                 std::string_view sender, std::optional<std::string_view> receiver);

// ------------------------------------------------------------ submission

// May `caller` submit a record marked `tlp`? OK for staff (any marking) and
// for contributors submitting clear or green; PermissionDenied naming "/tlp"
// for a contributor's amber, amber+strict or red; Unauthenticated for the
// public caller.
absl::Status CheckSubmitMarking(const Caller& caller, records::Tlp tlp);

// ---------------------------------------------------------------- tokens

inline constexpr std::string_view kTokenPrefix = "aisafe_";
inline constexpr size_t kTokenSecretBytes = 32;
inline constexpr size_t kTokenLength = 50;    // kTokenPrefix + 43 base64url characters.
inline constexpr size_t kTokenIdLength = 16;  // Lowercase hex digits.

// A freshly generated token. `secret` is shown to the operator once and
// never stored; `hash` = SHA-256(secret) and `id` = TokenId(hash) are.
struct NewToken {
  std::string secret;
  std::string id;
  util::Digest hash{};
};

// 32 bytes from the system CSPRNG (libsodium), encoded as above.
NewToken GenerateToken();

// The public id of a token: the first 16 lowercase hex digits of its hash.
std::string TokenId(const util::Digest& hash);

// OK if `id` is 16 lowercase hex digits (as `token revoke TOKEN_ID` takes);
// InvalidArgument otherwise.
absl::Status CheckTokenId(std::string_view id);

// SHA-256 of a presented token, after checking its syntax strictly: the
// exact prefix, exactly 43 characters of the base64url alphabet, no padding,
// and the canonical encoding of 32 bytes (the last character's unused bits
// zero). Unauthenticated "malformed token" otherwise. The caller looks the
// hash up among the stored ones.
absl::StatusOr<util::Digest> HashPresentedToken(std::string_view presented);

// Constant-time equality of two token hashes (libsodium's sodium_memcmp).
bool SameHash(const util::Digest& a, const util::Digest& b);

// The token of an `Authorization` header value "Bearer TOKEN" (RFC 6750
// section 2.1): the scheme is case-insensitive (RFC 9110 section 11.1), one
// or more spaces follow it, and TOKEN is an RFC 6750 b64token. Leading and
// trailing spaces or tabs (HTTP's optional whitespace) are ignored.
// Unauthenticated for anything else, including an empty header or another
// scheme. The result points into `authorization_header`.
absl::StatusOr<std::string_view> BearerToken(std::string_view authorization_header);

// ---------------------------------------------------------------- expiry

// The longest token lifetime: ten years, counted as the most days ten
// calendar years can have.
inline constexpr int64_t kMaxExpiryDays = 3653;

// Parses `token create --expires DURATION`: a positive decimal integer
// without sign or leading zeros, followed by exactly one of s, m, h, d, w
// (seconds, minutes, hours, days, weeks); e.g. "90d", "12h", "1w". At most
// kMaxExpiryDays. InvalidArgument naming the input otherwise.
absl::StatusOr<absl::Duration> ParseExpiry(std::string_view text);

// ------------------------------------------------------------ principals

// Principal names: 1 to 64 characters of [A-Za-z0-9._@-], the first one a
// letter or digit (so "alice", "alice@example.org", "svc.ingest-1").
// InvalidArgument otherwise.
absl::Status CheckPrincipalName(std::string_view name);

}  // namespace aisafe::auth
