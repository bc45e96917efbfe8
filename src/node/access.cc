#include "node/access.h"

#include "util/strings.h"

namespace aisafe::node {

absl::Status AddPrincipal(store::Store& store, std::string_view name, std::string_view role, absl::Time now) {
  if (auto st = auth::CheckPrincipalName(name); !st.ok()) return st;
  if (!auth::ParseRole(role)) {
    return absl::InvalidArgumentError(util::StrCat("role \"", role, "\" is not one of admin, analyst, contributor"));
  }
  return store.AddPrincipal({std::string(name), std::string(role), absl::ToUnixMicros(now)});
}

absl::StatusOr<CreatedToken> CreateToken(store::Store& store, std::string_view principal,
                                         std::optional<absl::Duration> lifetime, absl::Time now) {
  if (auto st = auth::CheckPrincipalName(principal); !st.ok()) return st;
  auth::NewToken t = auth::GenerateToken();
  CreatedToken out;
  out.secret = std::move(t.secret);
  out.stored.id = std::move(t.id);
  out.stored.hash = t.hash;
  out.stored.principal = std::string(principal);
  out.stored.created_us = absl::ToUnixMicros(now);
  if (lifetime) out.stored.expires_us = absl::ToUnixMicros(now + *lifetime);
  if (auto st = store.AddToken(out.stored); !st.ok()) return st;
  return out;
}

absl::StatusOr<auth::Caller> Authenticate(const store::ReadOnlyStore& store,
                                          std::optional<std::string_view> authorization, absl::Time now) {
  if (!authorization) return auth::Public();
  const absl::Status denied = absl::UnauthenticatedError("the bearer token is not valid");
  auto bearer = auth::BearerToken(*authorization);
  if (!bearer.ok()) return bearer.status();
  auto hash = auth::HashPresentedToken(*bearer);
  if (!hash.ok()) return denied;
  auto token = store.FindToken(*hash);
  if (!token.ok()) return token.status();
  if (!*token || !auth::SameHash((*token)->hash, *hash)) return denied;
  int64_t now_us = absl::ToUnixMicros(now);
  if ((*token)->revoked_us || ((*token)->expires_us && *(*token)->expires_us <= now_us)) return denied;
  auto principal = store.GetPrincipal((*token)->principal);
  if (!principal.ok()) return principal.status();
  if (!*principal) return denied;
  auto role = auth::ParseRole((*principal)->role);
  if (!role) return denied;
  return auth::Caller{(*principal)->name, *role};
}

}  // namespace aisafe::node
