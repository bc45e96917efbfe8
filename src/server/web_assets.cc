#include "server/web_assets.h"

#include <cctype>
#include <filesystem>
#include <system_error>

#include "util/file.h"
#include "util/hex.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace aisafe::server {
namespace {

std::string_view ContentType(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".map", "application/json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (path.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

// The qvalue of one Accept-Encoding item's parameters (";q=0.5"); 1 when
// absent (RFC 9110 section 12.4.2).
double QValue(std::string_view params) {
  size_t q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  std::string_view v = params.substr(q + 2);
  double value = 0;
  double scale = 1;
  bool fraction = false;
  for (char c : v) {
    if (c == '.') {
      fraction = true;
    } else if (c >= '0' && c <= '9') {
      if (fraction) {
        scale /= 10;
        value += (c - '0') * scale;
      } else {
        value = value * 10 + (c - '0');
      }
    } else {
      break;
    }
  }
  return value;
}

bool AcceptsGzip(const Request& req) {
  auto accept = req.Header("accept-encoding");
  if (!accept) return false;
  size_t pos = 0;
  while (pos < accept->size()) {
    size_t comma = accept->find(',', pos);
    std::string_view item = accept->substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? accept->size() : comma + 1;
    std::string compact;
    for (char c : item) {
      if (c != ' ' && c != '\t') compact += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string_view name = std::string_view(compact).substr(0, compact.find(';'));
    if (name != "gzip" && name != "x-gzip" && name != "*") continue;
    return QValue(std::string_view(compact).substr(name.size())) > 0;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WebAssets>> WebAssets::Load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "index.html", ec)) {
    return absl::NotFoundError(util::StrCat(dir, ": no index.html (is the web application built?)"));
  }
  std::unique_ptr<WebAssets> assets(new WebAssets());
  absl::flat_hash_map<std::string, std::string> gzipped;
  size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    if (ec || rel.empty() || rel.starts_with("..")) continue;
    if (it->file_size(ec) > kMaxFileBytes) {
      return absl::InvalidArgumentError(util::StrCat(it->path().string(), ": larger than ", kMaxFileBytes, " bytes"));
    }
    auto bytes = util::ReadFile(it->path().string());
    if (!bytes.ok()) return bytes.status();
    total += bytes->size();
    if (total > kMaxTotalBytes) {
      return absl::InvalidArgumentError(
          util::StrCat(dir, ": the application is larger than ", kMaxTotalBytes, " bytes"));
    }
    std::string path = "/" + rel;
    if (path.ends_with(".gz")) {
      gzipped.emplace(path.substr(0, path.size() - 3), std::move(*bytes));
      continue;
    }
    File f;
    f.content_type = std::string(ContentType(path));
    f.etag = util::StrCat("\"", util::ToHex(util::Sha256(*bytes)).substr(0, 32), "\"");
    f.body = std::move(*bytes);
    // Vite names what it builds into assets/ by content hash.
    f.immutable = path.starts_with("/assets/");
    assets->files_.emplace(std::move(path), std::move(f));
  }
  if (ec) return absl::InternalError(util::StrCat(dir, ": ", ec.message()));
  for (auto& [path, gz] : gzipped) {
    auto it = assets->files_.find(path);
    if (it != assets->files_.end()) it->second.gzip = std::move(gz);
  }
  return assets;
}

std::optional<Response> WebAssets::Serve(const Request& request) const {
  std::string_view path = request.path;
  // absl's heterogeneous lookup takes absl::string_view, not std's.
  auto it = files_.find(path == "/" ? std::string("/index.html") : std::string(path));
  if (it == files_.end()) {
    // A page of the application: its router reads the path.
    std::string_view last = path.substr(path.rfind('/') + 1);
    if (last.find('.') != std::string_view::npos || path.starts_with("/assets/")) return std::nullopt;
    it = files_.find(std::string("/index.html"));
    if (it == files_.end()) return std::nullopt;
  }
  const File& f = it->second;
  bool gzip = !f.gzip.empty() && AcceptsGzip(request);
  std::string etag = gzip ? util::StrCat(f.etag.substr(0, f.etag.size() - 1), "-gz\"") : f.etag;
  Response r;
  r.headers = {{"Content-Type", f.content_type},
               {"Cache-Control", f.immutable ? "public, max-age=31536000, immutable" : "no-cache"},
               {"ETag", etag}};
  if (!f.gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (auto inm = request.Header("if-none-match"); inm && *inm == etag) {
    r.status = 304;
    return r;
  }
  if (gzip) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = f.gzip;
  } else {
    r.body = f.body;
  }
  return r;
}

}  // namespace aisafe::server
