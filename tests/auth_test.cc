#include "auth/auth.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "util/hex.h"
#include "util/sha256.h"

namespace aisafe::auth {
namespace {

using records::Tlp;

constexpr char kNode[] = "sg-aisi";
constexpr char kOther[] = "uk-aisi";

Caller As(Role role) { return Caller{role == Role::kPublic ? "" : "someone", role}; }

// PRODUCT.md's "who sees it on a node" column, written out: for each role
// and marking, may the caller see a record of this node's own origin, and
// one of another origin?
struct Row {
  Role role;
  Tlp tlp;
  bool own;
  bool foreign;
};
constexpr Row kTable[] = {
    // clang-format off
    {Role::kPublic,      Tlp::kClear,       true,  true},
    {Role::kPublic,      Tlp::kGreen,       false, false},
    {Role::kPublic,      Tlp::kAmber,       false, false},
    {Role::kPublic,      Tlp::kAmberStrict, false, false},
    {Role::kPublic,      Tlp::kRed,         false, false},
    {Role::kContributor, Tlp::kClear,       true,  true},
    {Role::kContributor, Tlp::kGreen,       true,  true},
    {Role::kContributor, Tlp::kAmber,       false, false},
    {Role::kContributor, Tlp::kAmberStrict, false, false},
    {Role::kContributor, Tlp::kRed,         false, false},
    {Role::kAnalyst,     Tlp::kClear,       true,  true},
    {Role::kAnalyst,     Tlp::kGreen,       true,  true},
    {Role::kAnalyst,     Tlp::kAmber,       true,  true},
    {Role::kAnalyst,     Tlp::kAmberStrict, true,  true},
    {Role::kAnalyst,     Tlp::kRed,         true,  false},
    {Role::kAdmin,       Tlp::kClear,       true,  true},
    {Role::kAdmin,       Tlp::kGreen,       true,  true},
    {Role::kAdmin,       Tlp::kAmber,       true,  true},
    {Role::kAdmin,       Tlp::kAmberStrict, true,  true},
    {Role::kAdmin,       Tlp::kRed,         true,  false},
    // clang-format on
};

TEST(Visibility, EveryRoleMarkingAndOriginMatchesTheTable) {
  std::set<std::pair<Role, Tlp>> seen;
  for (const Row& row : kTable) {
    ASSERT_TRUE(seen.insert({row.role, row.tlp}).second) << "duplicate row";
    const Caller caller = As(row.role);
    const VisibleSet set = VisibleTo(caller);
    for (bool own : {true, false}) {
      const std::string origin = own ? kNode : kOther;
      const bool expected = own ? row.own : row.foreign;
      SCOPED_TRACE(::testing::Message() << RoleName(row.role) << " / " << records::TlpName(row.tlp) << " / "
                                        << (own ? "own origin" : "foreign origin"));
      EXPECT_EQ(MaySee(caller, row.tlp, origin, kNode), expected);
      EXPECT_EQ(Contains(set, row.tlp, origin, kNode), expected);
    }
  }
  EXPECT_EQ(seen.size(), 4u * 5u);  // Every role × every marking.
}

TEST(Visibility, TheCallersNameDoesNotMatter) {
  // Red is bound to the node's name, not the caller's.
  Caller admin{kOther, Role::kAdmin};
  EXPECT_FALSE(MaySee(admin, Tlp::kRed, kOther, kNode));
  EXPECT_TRUE(MaySee(admin, Tlp::kRed, kNode, kNode));
}

TEST(Visibility, VisibleSetsAreExplicit) {
  VisibleSet pub = VisibleTo(Public());
  EXPECT_EQ(pub.markings, std::vector<Tlp>{Tlp::kClear});
  EXPECT_FALSE(pub.red_of_own_origin);
  VisibleSet contributor = VisibleTo(As(Role::kContributor));
  EXPECT_EQ(contributor.markings, (std::vector<Tlp>{Tlp::kClear, Tlp::kGreen}));
  EXPECT_FALSE(contributor.red_of_own_origin);
  for (Role staff : {Role::kAnalyst, Role::kAdmin}) {
    VisibleSet s = VisibleTo(As(staff));
    EXPECT_EQ(s.markings, (std::vector<Tlp>{Tlp::kClear, Tlp::kGreen, Tlp::kAmber, Tlp::kAmberStrict}));
    EXPECT_TRUE(s.red_of_own_origin);
  }
}

TEST(Roles, ParseAcceptsExactlyTheStoredRoles) {
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_EQ(ParseRole("analyst"), Role::kAnalyst);
  EXPECT_EQ(ParseRole("contributor"), Role::kContributor);
  for (const char* bad : {"public", "Admin", "ADMIN", " admin", "admin ", "", "staff", "analysts"}) {
    EXPECT_FALSE(ParseRole(bad).has_value()) << bad;
  }
  for (Role r : {Role::kContributor, Role::kAnalyst, Role::kAdmin}) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_EQ(RoleName(Role::kPublic), "public");
  EXPECT_EQ(Public().role, Role::kPublic);
  EXPECT_TRUE(Public().name.empty());
}

TEST(Roles, StaffIsAdminAndAnalyst) {
  EXPECT_TRUE(IsStaff(Role::kAdmin));
  EXPECT_TRUE(IsStaff(Role::kAnalyst));
  EXPECT_FALSE(IsStaff(Role::kContributor));
  EXPECT_FALSE(IsStaff(Role::kPublic));
}

TEST(Submit, ContributorsAreCappedAtGreen) {
  const Caller c = As(Role::kContributor);
  EXPECT_TRUE(CheckSubmitMarking(c, Tlp::kClear).ok());
  EXPECT_TRUE(CheckSubmitMarking(c, Tlp::kGreen).ok());
  for (Tlp t : {Tlp::kAmber, Tlp::kAmberStrict, Tlp::kRed}) {
    absl::Status st = CheckSubmitMarking(c, t);
    EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
    EXPECT_TRUE(std::string(st.message()).starts_with("/tlp: ")) << st;
    EXPECT_NE(std::string(st.message()).find(records::TlpName(t)), std::string::npos) << st;
  }
}

TEST(Submit, StaffMaySubmitAnythingAndThePublicNothing) {
  for (Tlp t : {Tlp::kClear, Tlp::kGreen, Tlp::kAmber, Tlp::kAmberStrict, Tlp::kRed}) {
    EXPECT_TRUE(CheckSubmitMarking(As(Role::kAnalyst), t).ok());
    EXPECT_TRUE(CheckSubmitMarking(As(Role::kAdmin), t).ok());
    EXPECT_EQ(CheckSubmitMarking(Public(), t).code(), absl::StatusCode::kUnauthenticated);
  }
}

// ---------------------------------------------------------------- tokens

// 32 bytes 0x00..0x1f, base64url; the hash is from Python's hashlib.
constexpr char kKnownToken[] = "aisafe_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
constexpr char kKnownHash[] = "cf1a826b75f11a5b6bc94aafb87e9fa5148d7971a80d0d1496313c8c9522061e";

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

TEST(Tokens, FormatHashAndId) {
  NewToken t = GenerateToken();
  ASSERT_EQ(t.secret.size(), 50u);
  EXPECT_TRUE(t.secret.starts_with("aisafe_"));
  for (char c : t.secret.substr(7)) EXPECT_TRUE(IsBase64Url(c)) << t.secret;
  EXPECT_EQ(t.hash, util::Sha256(t.secret));
  EXPECT_EQ(t.id, util::ToHex(t.hash).substr(0, 16));
  EXPECT_EQ(t.id, TokenId(t.hash));
  EXPECT_TRUE(CheckTokenId(t.id).ok());
  auto h = HashPresentedToken(t.secret);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, t.hash);
  EXPECT_TRUE(SameHash(*h, t.hash));
}

TEST(Tokens, KnownAnswer) {
  auto h = HashPresentedToken(kKnownToken);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(util::ToHex(*h), kKnownHash);
  EXPECT_EQ(TokenId(*h), "cf1a826b75f11a5b");
}

TEST(Tokens, AreUnique) {
  std::set<std::string> secrets;
  std::set<std::string> ids;
  std::set<char> first_chars;
  constexpr int kCount = 20000;
  for (int i = 0; i < kCount; ++i) {
    NewToken t = GenerateToken();
    secrets.insert(t.secret);
    ids.insert(t.id);
    first_chars.insert(t.secret[7]);
  }
  EXPECT_EQ(secrets.size(), size_t{kCount});
  EXPECT_EQ(ids.size(), size_t{kCount});  // 64-bit ids: a collision here would mean broken randomness.
  EXPECT_EQ(first_chars.size(), 64u);     // Every base64url character appears in 20000 draws.
}

TEST(Tokens, StrictParsing) {
  const std::string good = kKnownToken;
  ASSERT_TRUE(HashPresentedToken(good).ok());
  const std::string body = good.substr(7);
  const std::vector<std::string> bad = {
      "",
      "aisafe_",
      "AISAFE_" + body,                      // Prefix is case-sensitive.
      "aisafe-" + body,                      // Wrong separator.
      "ghp_" + body + "xxx",                 // Another scanner's prefix, right length.
      body + "aisafe_",                      // Prefix at the end.
      good.substr(0, 49),                    // 42 characters.
      good + "A",                            // 44 characters.
      good.substr(0, 49) + "=",              // Padding instead of the last character.
      good + "=",                            // Padding appended.
      "aisafe_" + body.substr(0, 42) + "+",  // Standard base64 alphabet.
      "aisafe_" + body.substr(0, 42) + "/",
      "aisafe_" + body.substr(1) + "h",      // Right length; last character 'h' leaves non-zero bits.
      "aisafe_" + body.substr(0, 42) + "9",  // '9' = 61: low bits set, non-canonical.
      "aisafe_" + body.substr(0, 20) + " " + body.substr(21),
      "aisafe_" + body.substr(0, 20) + "." + body.substr(21),
      "aisafe_" + body.substr(0, 20) + std::string(1, '\0') + body.substr(21),
      " " + good.substr(0, 49),
  };
  for (const std::string& b : bad) {
    auto h = HashPresentedToken(b);
    EXPECT_EQ(h.status().code(), absl::StatusCode::kUnauthenticated) << b;
    EXPECT_EQ(h.status().message(), "malformed token") << b;
  }
  // Non-ASCII of the right byte length.
  std::string utf8 = good.substr(0, 48) + "\xc3\xa9";
  ASSERT_EQ(utf8.size(), 50u);
  EXPECT_FALSE(HashPresentedToken(utf8).ok());
  // A canonical last character with the same leading bits is a different, valid token.
  std::string other = "aisafe_" + body.substr(0, 42) + "w";
  auto h = HashPresentedToken(other);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(SameHash(*h, *HashPresentedToken(good)));
}

TEST(Tokens, SameHashComparesEveryByte) {
  util::Digest a = util::Sha256("a");
  EXPECT_TRUE(SameHash(a, a));
  for (size_t i = 0; i < a.size(); ++i) {
    util::Digest b = a;
    b[i] ^= 0x80;
    EXPECT_FALSE(SameHash(a, b)) << i;
  }
}

TEST(Tokens, TokenIds) {
  EXPECT_TRUE(CheckTokenId("0123456789abcdef").ok());
  for (const char* bad : {"", "0123456789abcde", "0123456789abcdef0", "0123456789ABCDEF", "0123456789abcdeg"}) {
    EXPECT_EQ(CheckTokenId(bad).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// ---------------------------------------------------------------- bearer

TEST(Bearer, AcceptsTheSchemeInAnyCase) {
  for (const char* h :
       {"Bearer abc", "bearer abc", "BEARER abc", "bEaReR abc", "Bearer    abc", " Bearer abc\t", "Bearer abc  "}) {
    auto t = BearerToken(h);
    ASSERT_TRUE(t.ok()) << h << ": " << t.status();
    EXPECT_EQ(*t, "abc") << h;
  }
  const std::string header = std::string("Bearer ") + kKnownToken;  // The result points into it.
  auto t = BearerToken(header);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, kKnownToken);
  // RFC 6750's b64token characters, trailing '=' included.
  auto full = BearerToken("Bearer aZ09-._~+/==");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(*full, "aZ09-._~+/==");
}

TEST(Bearer, RejectsEverythingElse) {
  for (const char* h : {"", " ", "Bearer", "Bearer ", "Bearer    ", "Bearerabc", "Bearer\tabc", "Basic dXNlcjpwYXNz",
                        "Token abc", "Bear abc", "Bearers abc", "abc", "Bearer a b", "Bearer abc,def", "Bearer =abc",
                        "Bearer ab=c", "Bearer \"abc\"", "Bearer abc\r\n", "Bearer a\xc3\xa9"}) {
    auto t = BearerToken(h);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kUnauthenticated) << h;
    EXPECT_EQ(std::string(t.status().message()).find("abc"), std::string::npos) << "echoes the credential";
  }
}

// ---------------------------------------------------------------- expiry

TEST(Expiry, ParsesEachUnit) {
  EXPECT_EQ(*ParseExpiry("90d"), absl::Hours(90 * 24));
  EXPECT_EQ(*ParseExpiry("12h"), absl::Hours(12));
  EXPECT_EQ(*ParseExpiry("1w"), absl::Hours(7 * 24));
  EXPECT_EQ(*ParseExpiry("30m"), absl::Minutes(30));
  EXPECT_EQ(*ParseExpiry("1s"), absl::Seconds(1));
  EXPECT_EQ(*ParseExpiry("10d"), absl::Hours(240));
}

TEST(Expiry, AtMostTenYears) {
  EXPECT_EQ(*ParseExpiry("3653d"), absl::Hours(3653 * 24));
  EXPECT_EQ(*ParseExpiry("87672h"), absl::Hours(3653 * 24));
  EXPECT_EQ(*ParseExpiry("315619200s"), absl::Hours(3653 * 24));
  EXPECT_EQ(*ParseExpiry("521w"), absl::Hours(521 * 7 * 24));
  for (const char* too_long : {"3654d", "87673h", "315619201s", "522w", "5260321m", "99999999999999999999999999d",
                               "9223372036854775807s", "9223372036854775808s"}) {
    EXPECT_EQ(ParseExpiry(too_long).status().code(), absl::StatusCode::kInvalidArgument) << too_long;
  }
}

TEST(Expiry, RejectsMalformedInputNamingIt) {
  for (const char* bad : {"",    "d",   "0d", "00d", "01d", "-1d",  "+1d",  "1",     "90",          "1.5d", "1 d",
                          " 1d", "1d ", "1D", "1y",  "1dd", "1d1h", "1e3s", "0x10d", "ninety days", "１d"}) {
    auto d = ParseExpiry(bad);
    ASSERT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(std::string(d.status().message()).find("expiry \""), std::string::npos) << d.status();
  }
  EXPECT_NE(std::string(ParseExpiry("1y").status().message()).find("\"1y\""), std::string::npos);
  // Control characters are escaped, not echoed.
  EXPECT_NE(std::string(ParseExpiry("1\nd").status().message()).find("\"1\\x0ad\""), std::string::npos);
}

// ------------------------------------------------------------ principals

TEST(Principals, Names) {
  for (const std::string& good : {std::string("alice"), std::string("alice@example.org"), std::string("svc.ingest-1"),
                                  std::string("A"), std::string("0day_team"), std::string(64, 'x')}) {
    EXPECT_TRUE(CheckPrincipalName(good).ok()) << good;
  }
  for (const std::string& bad :
       {std::string(), std::string(65, 'x'), std::string(".alice"), std::string("-alice"), std::string("@alice"),
        std::string("_alice"), std::string("a b"), std::string("a/b"), std::string("a+b"), std::string("a:b"),
        std::string("al\xc3\xa9"), std::string("a\n"), std::string("a\0b", 3), std::string(" alice")}) {
    EXPECT_EQ(CheckPrincipalName(bad).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// ------------------------------------------------------------ federation

// PRODUCT.md "Sharing rules", the two federation columns, copied:
//
//   | marking      | who may receive it from the origin        | may a recipient pass it on?  |
//   | clear        | anyone, including unauthenticated readers | yes                          |
//   | green        | any network member node                   | yes, to network members      |
//   | amber        | only the nodes named in `audience`        | never to another node; ...   |
//   | amber+strict | only the nodes named in `audience`        | no                           |
//   | red          | nobody: it never leaves its origin        | no                           |
//
// and auth.h's added rule: a record is never sent back to its own origin.
// Every combination of marking, receiver (unidentified / a member named in
// the audience / a member not named), path (from the origin / relayed by
// another node) and whether the receiver is the origin, written out.
enum class Receiver { kAnonymous, kInAudience, kNotInAudience };
enum class Path { kFromOrigin, kRelayed };

struct FederateRow {
  Tlp tlp;
  Receiver receiver;
  Path path;
  bool receiver_is_origin;
  bool allowed;
};

constexpr FederateRow kFederateTable[] = {
    // clang-format off
    // marking          receiver                   path               to origin  allowed
    {Tlp::kClear,       Receiver::kAnonymous,     Path::kFromOrigin, false,     true},
    {Tlp::kClear,       Receiver::kAnonymous,     Path::kRelayed,    false,     true},
    {Tlp::kClear,       Receiver::kInAudience,    Path::kFromOrigin, false,     true},
    {Tlp::kClear,       Receiver::kInAudience,    Path::kFromOrigin, true,      false},
    {Tlp::kClear,       Receiver::kInAudience,    Path::kRelayed,    false,     true},
    {Tlp::kClear,       Receiver::kInAudience,    Path::kRelayed,    true,      false},
    {Tlp::kClear,       Receiver::kNotInAudience, Path::kFromOrigin, false,     true},
    {Tlp::kClear,       Receiver::kNotInAudience, Path::kFromOrigin, true,      false},
    {Tlp::kClear,       Receiver::kNotInAudience, Path::kRelayed,    false,     true},
    {Tlp::kClear,       Receiver::kNotInAudience, Path::kRelayed,    true,      false},

    {Tlp::kGreen,       Receiver::kAnonymous,     Path::kFromOrigin, false,     false},
    {Tlp::kGreen,       Receiver::kAnonymous,     Path::kRelayed,    false,     false},
    {Tlp::kGreen,       Receiver::kInAudience,    Path::kFromOrigin, false,     true},
    {Tlp::kGreen,       Receiver::kInAudience,    Path::kFromOrigin, true,      false},
    {Tlp::kGreen,       Receiver::kInAudience,    Path::kRelayed,    false,     true},
    {Tlp::kGreen,       Receiver::kInAudience,    Path::kRelayed,    true,      false},
    {Tlp::kGreen,       Receiver::kNotInAudience, Path::kFromOrigin, false,     true},
    {Tlp::kGreen,       Receiver::kNotInAudience, Path::kFromOrigin, true,      false},
    {Tlp::kGreen,       Receiver::kNotInAudience, Path::kRelayed,    false,     true},
    {Tlp::kGreen,       Receiver::kNotInAudience, Path::kRelayed,    true,      false},

    {Tlp::kAmber,       Receiver::kAnonymous,     Path::kFromOrigin, false,     false},
    {Tlp::kAmber,       Receiver::kAnonymous,     Path::kRelayed,    false,     false},
    {Tlp::kAmber,       Receiver::kInAudience,    Path::kFromOrigin, false,     true},
    {Tlp::kAmber,       Receiver::kInAudience,    Path::kFromOrigin, true,      false},
    {Tlp::kAmber,       Receiver::kInAudience,    Path::kRelayed,    false,     false},
    {Tlp::kAmber,       Receiver::kInAudience,    Path::kRelayed,    true,      false},
    {Tlp::kAmber,       Receiver::kNotInAudience, Path::kFromOrigin, false,     false},
    {Tlp::kAmber,       Receiver::kNotInAudience, Path::kFromOrigin, true,      false},
    {Tlp::kAmber,       Receiver::kNotInAudience, Path::kRelayed,    false,     false},
    {Tlp::kAmber,       Receiver::kNotInAudience, Path::kRelayed,    true,      false},

    {Tlp::kAmberStrict, Receiver::kAnonymous,     Path::kFromOrigin, false,     false},
    {Tlp::kAmberStrict, Receiver::kAnonymous,     Path::kRelayed,    false,     false},
    {Tlp::kAmberStrict, Receiver::kInAudience,    Path::kFromOrigin, false,     true},
    {Tlp::kAmberStrict, Receiver::kInAudience,    Path::kFromOrigin, true,      false},
    {Tlp::kAmberStrict, Receiver::kInAudience,    Path::kRelayed,    false,     false},
    {Tlp::kAmberStrict, Receiver::kInAudience,    Path::kRelayed,    true,      false},
    {Tlp::kAmberStrict, Receiver::kNotInAudience, Path::kFromOrigin, false,     false},
    {Tlp::kAmberStrict, Receiver::kNotInAudience, Path::kFromOrigin, true,      false},
    {Tlp::kAmberStrict, Receiver::kNotInAudience, Path::kRelayed,    false,     false},
    {Tlp::kAmberStrict, Receiver::kNotInAudience, Path::kRelayed,    true,      false},

    {Tlp::kRed,         Receiver::kAnonymous,     Path::kFromOrigin, false,     false},
    {Tlp::kRed,         Receiver::kAnonymous,     Path::kRelayed,    false,     false},
    {Tlp::kRed,         Receiver::kInAudience,    Path::kFromOrigin, false,     false},
    {Tlp::kRed,         Receiver::kInAudience,    Path::kFromOrigin, true,      false},
    {Tlp::kRed,         Receiver::kInAudience,    Path::kRelayed,    false,     false},
    {Tlp::kRed,         Receiver::kInAudience,    Path::kRelayed,    true,      false},
    {Tlp::kRed,         Receiver::kNotInAudience, Path::kFromOrigin, false,     false},
    {Tlp::kRed,         Receiver::kNotInAudience, Path::kFromOrigin, true,      false},
    {Tlp::kRed,         Receiver::kNotInAudience, Path::kRelayed,    false,     false},
    {Tlp::kRed,         Receiver::kNotInAudience, Path::kRelayed,    true,      false},
    // clang-format on
};

TEST(MayFederate, TableCoversEveryCombinationOnce) {
  std::set<std::tuple<int, int, int, bool>> seen;
  for (const FederateRow& r : kFederateTable) {
    EXPECT_FALSE(r.receiver == Receiver::kAnonymous && r.receiver_is_origin) << "an unidentified asker is no origin";
    EXPECT_TRUE(seen.insert({static_cast<int>(r.tlp), static_cast<int>(r.receiver), static_cast<int>(r.path),
                             r.receiver_is_origin})
                    .second)
        << "duplicate row";
  }
  // 5 markings x (anonymous x 2 paths + 2 member kinds x 2 paths x 2).
  EXPECT_EQ(seen.size(), 5u * (2 + 2 * 2 * 2));
}

TEST(MayFederate, FollowsTheSharingTable) {
  constexpr char kOrigin[] = "th-aisi";
  constexpr char kRelay[] = "uk-aisi";
  constexpr char kReceiver[] = "jp-aisi";
  for (const FederateRow& r : kFederateTable) {
    std::string sender = r.path == Path::kFromOrigin ? kOrigin : kRelay;
    std::optional<std::string> receiver;
    if (r.receiver != Receiver::kAnonymous) receiver = r.receiver_is_origin ? kOrigin : kReceiver;
    // Other names in the audience too, so "named" means named, not "alone".
    std::vector<std::string> audience = {"fr-aisi", kRelay};
    if (r.receiver == Receiver::kInAudience) audience.push_back(*receiver);
    std::optional<std::string_view> receiver_view;
    if (receiver) receiver_view = *receiver;
    EXPECT_EQ(MayFederate(r.tlp, audience, kOrigin, sender, receiver_view), r.allowed)
        << records::TlpName(r.tlp) << ", receiver " << (receiver ? *receiver : "(anonymous)")
        << (r.receiver == Receiver::kInAudience ? " in" : " not in") << " the audience, sender " << sender;
  }
}

TEST(MayFederate, AudienceMatchesNamesExactly) {
  // Audience entries are node names: no prefix, substring or empty match.
  for (Tlp tlp : {Tlp::kAmber, Tlp::kAmberStrict}) {
    for (const std::vector<std::string>& audience :
         {std::vector<std::string>{}, std::vector<std::string>{"jp-aisi2"}, std::vector<std::string>{"jp"},
          std::vector<std::string>{""}, std::vector<std::string>{"jp-aisi "}}) {
      EXPECT_FALSE(MayFederate(tlp, audience, "th-aisi", "th-aisi", std::string_view("jp-aisi")))
          << records::TlpName(tlp) << " " << (audience.empty() ? "(empty)" : audience[0]);
    }
    EXPECT_TRUE(MayFederate(tlp, {"x", "jp-aisi", "y"}, "th-aisi", "th-aisi", std::string_view("jp-aisi")));
  }
}

}  // namespace
}  // namespace aisafe::auth
