#include "auth/auth.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

#include "util/base64.h"
#include "util/hex.h"
#include "util/random.h"
#include "util/strings.h"

namespace aisafe::auth {
namespace {

using records::Tlp;

constexpr std::array kAllRoles = {Role::kPublic, Role::kContributor, Role::kAnalyst, Role::kAdmin};
constexpr std::array kAllMarkings = {Tlp::kClear, Tlp::kGreen, Tlp::kAmber, Tlp::kAmberStrict, Tlp::kRed};

constexpr bool IsStaffRole(Role role) { return role == Role::kAdmin || role == Role::kAnalyst; }

// Which records of one marking a role sees. The single statement of
// PRODUCT.md's "who sees it on a node" column; MaySee and VisibleTo both
// read it.
enum class Reach { kNobody, kAnyOrigin, kOwnOrigin };

constexpr Reach ReachOf(Role role, Tlp tlp) {
  switch (tlp) {
    case Tlp::kClear:
      return Reach::kAnyOrigin;
    case Tlp::kGreen:
      return role != Role::kPublic ? Reach::kAnyOrigin : Reach::kNobody;
    case Tlp::kAmber:
    case Tlp::kAmberStrict:
      return IsStaffRole(role) ? Reach::kAnyOrigin : Reach::kNobody;
    case Tlp::kRed:
      return IsStaffRole(role) ? Reach::kOwnOrigin : Reach::kNobody;
  }
  return Reach::kNobody;  // Not reached; an out-of-range value sees nothing.
}

// VisibleSet can only say "own origin" for red; fail the build if the rule
// ever asks for more.
constexpr bool OnlyRedIsOriginBound() {
  for (Role r : kAllRoles) {
    for (Tlp t : kAllMarkings) {
      if (t != Tlp::kRed && ReachOf(r, t) == Reach::kOwnOrigin) return false;
    }
  }
  return true;
}
static_assert(OnlyRedIsOriginBound());

// Quotes operator input for an error message, escaping anything but
// printable ASCII so a message cannot carry control characters.
std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u >= 0x7f) {
      out.append("\\x");
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

bool IsAsciiAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsBase64UrlChar(char c) { return IsAsciiAlnum(c) || c == '-' || c == '_'; }

// RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=".
bool IsB64Token(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && (IsAsciiAlnum(s[n]) || s[n] == '-' || s[n] == '.' || s[n] == '_' || s[n] == '~' ||
                          s[n] == '+' || s[n] == '/')) {
    ++n;
  }
  if (n == 0) return false;
  while (n < s.size() && s[n] == '=') ++n;
  return n == s.size();
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

absl::Status MalformedToken() { return absl::UnauthenticatedError("malformed token"); }

absl::Status NotBearer() { return absl::UnauthenticatedError("Authorization header must be \"Bearer TOKEN\""); }

}  // namespace

// ---------------------------------------------------------------- roles

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "admin") return Role::kAdmin;
  if (text == "analyst") return Role::kAnalyst;
  if (text == "contributor") return Role::kContributor;
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPublic:
      return "public";
    case Role::kContributor:
      return "contributor";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAdmin:
      return "admin";
  }
  return "public";
}

bool IsStaff(Role role) { return IsStaffRole(role); }

Caller Public() { return Caller{}; }

// ----------------------------------------------------------- visibility

bool MaySee(const Caller& caller, records::Tlp tlp, std::string_view record_origin, std::string_view node_name) {
  switch (ReachOf(caller.role, tlp)) {
    case Reach::kAnyOrigin:
      return true;
    case Reach::kOwnOrigin:
      return record_origin == node_name;
    case Reach::kNobody:
      return false;
  }
  return false;
}

VisibleSet VisibleTo(const Caller& caller) {
  VisibleSet set;
  for (Tlp t : kAllMarkings) {
    switch (ReachOf(caller.role, t)) {
      case Reach::kAnyOrigin:
        set.markings.push_back(t);
        break;
      case Reach::kOwnOrigin:
        set.red_of_own_origin = true;  // Only red, by OnlyRedIsOriginBound.
        break;
      case Reach::kNobody:
        break;
    }
  }
  return set;
}

bool Contains(const VisibleSet& set, records::Tlp tlp, std::string_view record_origin, std::string_view node_name) {
  if (std::find(set.markings.begin(), set.markings.end(), tlp) != set.markings.end()) return true;
  return tlp == Tlp::kRed && set.red_of_own_origin && record_origin == node_name;
}

// ------------------------------------------------------------ submission

bool MayFederate(records::Tlp tlp, const std::vector<std::string>& audience, std::string_view origin,
                 std::string_view sender, std::optional<std::string_view> receiver) {
  if (receiver && *receiver == origin) return false;
  switch (tlp) {
    case records::Tlp::kClear:
      return true;
    case records::Tlp::kGreen:
      return receiver.has_value();
    case records::Tlp::kAmber:
    case records::Tlp::kAmberStrict:
      return receiver.has_value() && origin == sender &&
             std::find(audience.begin(), audience.end(), *receiver) != audience.end();
    case records::Tlp::kRed:
      return false;
  }
  return false;
}

absl::Status CheckSubmitMarking(const Caller& caller, records::Tlp tlp) {
  switch (caller.role) {
    case Role::kPublic:
      return absl::UnauthenticatedError("submitting records needs an API token (Authorization: Bearer TOKEN)");
    case Role::kContributor:
      if (tlp == Tlp::kClear || tlp == Tlp::kGreen) return absl::OkStatus();
      return absl::PermissionDeniedError(
          util::StrCat("/tlp: contributors may submit clear or green records, not ", records::TlpName(tlp),
                       "; an analyst can re-mark a record by a record that supersedes it"));
    case Role::kAnalyst:
    case Role::kAdmin:
      return absl::OkStatus();
  }
  return absl::PermissionDeniedError("unknown role");
}

// ---------------------------------------------------------------- tokens

NewToken GenerateToken() {
  std::string bytes = util::RandomBytes(kTokenSecretBytes);
  NewToken token;
  token.secret = util::StrCat(kTokenPrefix, util::Base64UrlEncode(bytes));
  sodium_memzero(bytes.data(), bytes.size());
  token.hash = util::Sha256(token.secret);
  token.id = TokenId(token.hash);
  return token;
}

std::string TokenId(const util::Digest& hash) { return util::ToHex(hash).substr(0, kTokenIdLength); }

absl::Status CheckTokenId(std::string_view id) {
  bool ok = id.size() == kTokenIdLength &&
            std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      util::StrCat("token id ", Quote(id.substr(0, 64)), ": expected 16 lowercase hex digits (see `token list`)"));
}

absl::StatusOr<util::Digest> HashPresentedToken(std::string_view presented) {
  if (presented.size() != kTokenLength || !presented.starts_with(kTokenPrefix)) return MalformedToken();
  std::string_view body = presented.substr(kTokenPrefix.size());
  if (!std::all_of(body.begin(), body.end(), IsBase64UrlChar)) return MalformedToken();
  // 43 characters carry 258 bits; the canonical encoding of 32 bytes has the
  // last two zero. Decoding and re-encoding checks that and the length.
  std::optional<std::string> bytes = util::Base64UrlDecode(body);
  bool canonical = bytes && bytes->size() == kTokenSecretBytes && util::Base64UrlEncode(*bytes) == body;
  if (bytes) sodium_memzero(bytes->data(), bytes->size());
  if (!canonical) return MalformedToken();
  return util::Sha256(presented);
}

bool SameHash(const util::Digest& a, const util::Digest& b) { return sodium_memcmp(a.data(), b.data(), a.size()) == 0; }

absl::StatusOr<std::string_view> BearerToken(std::string_view authorization_header) {
  std::string_view h = authorization_header;
  auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
  while (!h.empty() && is_ows(h.front())) h.remove_prefix(1);
  while (!h.empty() && is_ows(h.back())) h.remove_suffix(1);
  constexpr std::string_view kScheme = "bearer";
  if (h.size() <= kScheme.size() || !EqualsIgnoringAsciiCase(h.substr(0, kScheme.size()), kScheme)) {
    return NotBearer();
  }
  std::string_view rest = h.substr(kScheme.size());
  if (rest.front() != ' ') return NotBearer();  // "Bearerx", "Bearer\tx".
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (!IsB64Token(rest)) return NotBearer();
  return rest;
}

// ---------------------------------------------------------------- expiry

absl::StatusOr<absl::Duration> ParseExpiry(std::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        util::StrCat("expiry ", Quote(text.substr(0, 64)),
                     ": expected a positive whole number followed by s, m, h, d or w (e.g. 90d, 12h, 1w), at most ",
                     kMaxExpiryDays, " days (10 years)"));
  };
  if (text.size() < 2) return invalid();
  int64_t unit_seconds = 0;
  switch (text.back()) {
    case 's':
      unit_seconds = 1;
      break;
    case 'm':
      unit_seconds = 60;
      break;
    case 'h':
      unit_seconds = 3600;
      break;
    case 'd':
      unit_seconds = 86400;
      break;
    case 'w':
      unit_seconds = 7 * 86400;
      break;
    default:
      return invalid();
  }
  std::string_view digits = text.substr(0, text.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return invalid();
  if (digits.front() == '0') return invalid();  // Zero, or a leading zero.
  int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return invalid();  // Overflow.
  constexpr int64_t kMaxSeconds = kMaxExpiryDays * 86400;
  if (n > kMaxSeconds / unit_seconds) return invalid();
  return absl::Seconds(n * unit_seconds);
}

// ------------------------------------------------------------ principals

absl::Status CheckPrincipalName(std::string_view name) {
  auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(util::StrCat("principal name ", Quote(name.substr(0, 80)), ": ", why));
  };
  if (name.empty()) return invalid("is empty");
  if (name.size() > 64) return invalid("is longer than 64 characters");
  if (!IsAsciiAlnum(name.front())) return invalid("must start with a letter or digit");
  for (char c : name) {
    if (!IsAsciiAlnum(c) && c != '.' && c != '_' && c != '@' && c != '-') {
      return invalid("may contain only letters, digits, '.', '_', '@' and '-'");
    }
  }
  return absl::OkStatus();
}

}  // namespace aisafe::auth
