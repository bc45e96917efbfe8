// Principals and API tokens of a node, over its store: the operations the
// `principal` and `token` commands and the HTTP server share (issue 4).
// The rules themselves (roles, token format, visibility) are auth's.
//
// Thread-safety: as the store's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/auth.h"
#include "store/store.h"

namespace aisafe::node {

// InvalidArgument for a bad name or role; AlreadyExists if the name is taken.
absl::Status AddPrincipal(store::Store& store, std::string_view name, std::string_view role, absl::Time now);

struct CreatedToken {
  std::string secret;  // Shown once; never stored.
  store::StoredToken stored;
};

// A new token for `principal`, valid for `lifetime` if given. NotFound if
// the principal does not exist.
absl::StatusOr<CreatedToken> CreateToken(store::Store& store, std::string_view principal,
                                         std::optional<absl::Duration> lifetime, absl::Time now);

// Who presents `authorization` (an HTTP Authorization header value; absent:
// the public). Unauthenticated, with one message for every reason (bad
// syntax, unknown, revoked, expired, role no longer valid) so a caller
// learns nothing about which tokens exist; other codes are store faults.
absl::StatusOr<auth::Caller> Authenticate(const store::ReadOnlyStore& store,
                                          std::optional<std::string_view> authorization, absl::Time now);

}  // namespace aisafe::node
