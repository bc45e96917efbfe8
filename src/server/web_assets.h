// The web application's built files (web/dist: index.html and hashed
// /assets/*), held in memory and served at / by Api (issue 7,
// docs/web.md).
//
// What it promises:
//   - every regular file under the directory, at load time, is served at
//     its path; a file's gzip sibling (`X.gz`, written by the web build) is
//     sent instead to clients that accept gzip, with Vary: Accept-Encoding;
//   - paths of the application's own pages (a last segment without a dot:
//     "/records/ab12...", "/search") answer index.html, so deep links work;
//     a missing file with an extension answers nothing (the caller's 404);
//   - strong ETags (SHA-256 of the bytes) and If-None-Match -> 304; hashed
//     assets under /assets/ are immutable for a year, the rest revalidate;
//   - the served files never change while the process runs (a rebuilt app
//     needs a restart, as a rebuilt binary does).
// The Content-Security-Policy that lets these files run is set by Api on
// every response (kContentSecurityPolicy).
//
// Errors: Load fails with NotFound when the directory has no index.html and
// InvalidArgument when it is larger than the limits below.
// Thread-safety: const after Load; Serve may be called from many threads.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "server/http_server.h"

namespace aisafe::server {

// No inline scripts or styles, nothing from other origins, no framing.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

class WebAssets {
 public:
  static constexpr size_t kMaxFileBytes = 16 << 20;
  static constexpr size_t kMaxTotalBytes = 128 << 20;

  static absl::StatusOr<std::unique_ptr<WebAssets>> Load(const std::string& dir);

  // The answer to GET `request.path`, or nullopt if the path is not the
  // application's.
  std::optional<Response> Serve(const Request& request) const;

  size_t FileCount() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string gzip;  // Empty when there is no .gz sibling.
    std::string etag;
    bool immutable = false;
  };
  WebAssets() = default;
  absl::flat_hash_map<std::string, File> files_;  // By URL path: "/index.html".
};

}  // namespace aisafe::server
