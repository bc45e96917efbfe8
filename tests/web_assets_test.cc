// WebAssets (issue 7): the web application's built files served from
// memory: index.html for the application's pages, gzip siblings only to
// clients that accept them, content types, ETags and 304, cache policy,
// and the limits and file kinds Load refuses or skips.
#include "server/web_assets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/test_util.h"

namespace aisafe::server {
namespace {

namespace fs = std::filesystem;

const std::string kIndex = "<!doctype html><html><head><script type=module src=/assets/app-abc123.js></script>";
const std::string kAppJs = "console.log('app');\n";
// Not real gzip: the server sends the sibling's bytes as they are.
const std::string kAppJsGz = std::string("\x1f\x8b\x08\x00pretend-gzip\x00\xff", 18);
const std::string kFavicon = "<svg xmlns='http://www.w3.org/2000/svg'/>";
const std::string kNested = "{\"nested\":true}";
const std::string kStyle = "body{margin:0}";

void Write(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::optional<std::string> HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(k[i])) != std::tolower(static_cast<unsigned char>(name[i]))) {
        same = false;
      }
    }
    if (same) return v;
  }
  return std::nullopt;
}

Request Get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Request r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  r.headers = std::move(headers);
  r.remote_address = "127.0.0.1";
  return r;
}

class WebAssetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_ = tmp_.Sub("web");
    Write(web_ + "/index.html", kIndex);
    Write(web_ + "/assets/app-abc123.js", kAppJs);
    Write(web_ + "/assets/app-abc123.js.gz", kAppJsGz);
    Write(web_ + "/assets/style-def456.css", kStyle);
    Write(web_ + "/favicon.svg", kFavicon);
    Write(web_ + "/nested/deep/data.json", kNested);
    Write(tmp_.Sub("secret.txt"), "TOP SECRET OUTSIDE");
    Write(tmp_.Sub("secret"), "TOP SECRET NO DOT");
  }
  std::unique_ptr<WebAssets> Load() {
    auto loaded = WebAssets::Load(web_);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? std::move(*loaded) : nullptr;
  }

  testing::TempDir tmp_;
  std::string web_;
};

TEST_F(WebAssetsTest, RootAndIndexAnswerIndexHtmlThatRevalidates) {
  auto web = Load();
  ASSERT_NE(web, nullptr);
  for (const char* path : {"/", "/index.html"}) {
    SCOPED_TRACE(path);
    auto r = web->Serve(Get(path));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, kIndex);
    EXPECT_EQ(HeaderOf(*r, "content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(HeaderOf(*r, "cache-control"), "no-cache");
    EXPECT_TRUE(HeaderOf(*r, "etag").has_value());
    EXPECT_FALSE(HeaderOf(*r, "content-encoding").has_value());
  }
}

TEST_F(WebAssetsTest, ApplicationPagesFallBackToIndexHtml) {
  auto web = Load();
  ASSERT_NE(web, nullptr);
  auto index = web->Serve(Get("/"));
  ASSERT_TRUE(index.has_value());
  for (std::string path : {std::string("/search"), "/records/" + std::string(64, 'a'), std::string("/admin"),
                           std::string("/network/"), std::string("/a.b/records")}) {
    SCOPED_TRACE(path);
    auto r = web->Serve(Get(path));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, kIndex);
    EXPECT_EQ(HeaderOf(*r, "content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(HeaderOf(*r, "cache-control"), "no-cache");
    EXPECT_EQ(HeaderOf(*r, "etag"), HeaderOf(*index, "etag"));
  }
}

TEST_F(WebAssetsTest, MissingFilesWithAnExtensionOrUnderAssetsAnswerNothing) {
  auto web = Load();
  ASSERT_NE(web, nullptr);
  for (const char* path : {"/missing.js", "/assets/nope.js", "/assets/nope", "/nested/deep/other.json",
                           "/assets/app-abc123.js.gz", "/favicon.ico"}) {
    EXPECT_FALSE(web->Serve(Get(path)).has_value()) << path;
  }
}

TEST_F(WebAssetsTest, ContentTypeFollowsTheExtension) {
  auto web = Load();
  ASSERT_NE(web, nullptr);
  const std::pair<const char*, const char*> cases[] = {
      {"/assets/app-abc123.js", "text/javascript; charset=utf-8"},
      {"/assets/style-def456.css", "text/css; charset=utf-8"},
      {"/favicon.svg", "image/svg+xml"},
      {"/nested/deep/data.json", "application/json"},
      {"/index.html", "text/html; charset=utf-8"},
  };
  for (const auto& [path, type] : cases) {
    auto r = web->Serve(Get(path));
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(HeaderOf(*r, "content-type"), type) << path;
  }
  auto nested = web->Serve(Get("/nested/deep/data.json"));
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->body, kNested);
  auto icon = web->Serve(Get("/favicon.svg"));
  ASSERT_TRUE(icon.has_value());
  EXPECT_EQ(icon->body, kFavicon);
}

TEST_F(WebAssetsTest, GzipSiblingOnlyForClientsThatAcceptGzip) {
  auto web = Load();
  ASSERT_NE(web, nullptr);
  for (const char* accept : {"gzip", "deflate, gzip;q=0.5", "*", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8"}) {
    SCOPED_TRACE(accept);
    auto r = web->Serve(Get("/assets/app-abc123.js", {{"accept-encoding", accept}}));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, kAppJsGz);
    EXPECT_EQ(HeaderOf(*r, "content-encoding"), "gzip");
    EXPECT_EQ(HeaderOf(*r, "content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(HeaderOf(*r, "vary"), "Accept-Encoding");
  }
  // q=0 (in any spelling RFC 9110 12.4.2 allows) refuses gzip.
  for (const char* accept :
       {"gzip;q=0", "gzip; q=0", "deflate", "identity", "br, gzip;q=0", "gzip;q=0.0", "gzip;q=0.000"}) {
    SCOPED_TRACE(accept);
    auto r = web->Serve(Get("/assets/app-abc123.js", {{"accept-encoding", accept}}));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, kAppJs);
    EXPECT_FALSE(HeaderOf(*r, "content-encoding").has_value());
    EXPECT_EQ(HeaderOf(*r, "vary"), "Accept-Encoding");
  }
  auto plain = web->Serve(Get("/assets/app-abc123.js"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->body, kAppJs);
  EXPECT_FALSE(HeaderOf(*plain, "content-encoding").has_value());
  EXPECT_EQ(HeaderOf(*plain, "vary"), "Accept-Encoding");
  // Without a .gz sibling there is nothing to vary on.
  auto css = web->Serve(Get("/assets/style-def456.css", {{"accept-encoding", "gzip"}}));
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ(css->body, kStyle);
  EXPECT_FALSE(HeaderOf(*css, "content-encoding").has_value());
  EXPECT_FALSE(HeaderOf(*css, "vary").has_value());
}

TEST_F(WebAssetsTest, EtagsAreStableAndDifferPerEncodingAndContent) {
  auto web = Load();
  auto again = Load();
  ASSERT_NE(web, nullptr);
  ASSERT_NE(again, nullptr);
  auto plain = web->Serve(Get("/assets/app-abc123.js"));
  auto gz = web->Serve(Get("/assets/app-abc123.js", {{"accept-encoding", "gzip"}}));
  auto plain2 = again->Serve(Get("/assets/app-abc123.js"));
  auto gz2 = again->Serve(Get("/assets/app-abc123.js", {{"accept-encoding", "gzip"}}));
  auto css = web->Serve(Get("/assets/style-def456.css"));
  ASSERT_TRUE(plain && gz && plain2 && gz2 && css);
  auto etag = HeaderOf(*plain, "etag");
  auto gz_etag = HeaderOf(*gz, "etag");
  ASSERT_TRUE(etag && gz_etag);
  EXPECT_EQ(etag->front(), '"');
  EXPECT_EQ(etag->back(), '"');
  EXPECT_EQ(HeaderOf(*plain2, "etag"), etag);
  EXPECT_EQ(HeaderOf(*gz2, "etag"), gz_etag);
  EXPECT_NE(*gz_etag, *etag);
  EXPECT_NE(HeaderOf(*css, "etag"), etag);
  // A changed file (after a rebuild and restart) has a new ETag.
  Write(web_ + "/assets/app-abc123.js", kAppJs + "//changed\n");
  auto changed = Load();
  ASSERT_NE(changed, nullptr);
  auto r = changed->Serve(Get("/assets/app-abc123.js"));
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(HeaderOf(*r, "etag"), etag);
}

TEST_F(WebAssetsTest, IfNoneMatchAnswers304WithAnEmptyBody) {
  auto web = Load();
  ASSERT_NE(web, nullptr);
  auto first = web->Serve(Get("/assets/app-abc123.js"));
  auto first_gz = web->Serve(Get("/assets/app-abc123.js", {{"accept-encoding", "gzip"}}));
  ASSERT_TRUE(first && first_gz);
  std::string etag = *HeaderOf(*first, "etag");
  std::string gz_etag = *HeaderOf(*first_gz, "etag");

  auto r = web->Serve(Get("/assets/app-abc123.js", {{"if-none-match", etag}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(HeaderOf(*r, "etag"), etag);
  r = web->Serve(Get("/assets/app-abc123.js", {{"if-none-match", gz_etag}, {"accept-encoding", "gzip"}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
  // The plain variant's tag does not validate the gzip variant, nor a stale one.
  r = web->Serve(Get("/assets/app-abc123.js", {{"if-none-match", etag}, {"accept-encoding", "gzip"}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kAppJsGz);
  r = web->Serve(Get("/assets/app-abc123.js", {{"if-none-match", "\"stale\""}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kAppJs);
  // index.html too, also through the fallback of a page.
  auto index = web->Serve(Get("/"));
  ASSERT_TRUE(index.has_value());
  r = web->Serve(Get("/search", {{"if-none-match", *HeaderOf(*index, "etag")}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
}

TEST_F(WebAssetsTest, HashedAssetsAreImmutableAndTheRestRevalidates) {
  auto web = Load();
  ASSERT_NE(web, nullptr);
  for (const char* path : {"/assets/app-abc123.js", "/assets/style-def456.css"}) {
    auto r = web->Serve(Get(path));
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(HeaderOf(*r, "cache-control"), "public, max-age=31536000, immutable") << path;
  }
  auto gz = web->Serve(Get("/assets/app-abc123.js", {{"accept-encoding", "gzip"}}));
  ASSERT_TRUE(gz.has_value());
  EXPECT_EQ(HeaderOf(*gz, "cache-control"), "public, max-age=31536000, immutable");
  for (const char* path : {"/favicon.svg", "/nested/deep/data.json", "/", "/search"}) {
    auto r = web->Serve(Get(path));
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(HeaderOf(*r, "cache-control"), "no-cache") << path;
  }
}

TEST_F(WebAssetsTest, LoadRefusesADirectoryWithoutIndexHtml) {
  fs::remove(web_ + "/index.html");
  auto loaded = WebAssets::Load(web_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound) << loaded.status();
  auto absent = WebAssets::Load(tmp_.Sub("no-such-dir"));
  EXPECT_EQ(absent.status().code(), absl::StatusCode::kNotFound) << absent.status();
}

TEST_F(WebAssetsTest, LoadRefusesAFileOverTheLimit) {
  // Sparse: no 16 MiB written.
  std::string big = web_ + "/assets/huge.bin";
  Write(big, "");
  fs::resize_file(big, WebAssets::kMaxFileBytes + 1);
  auto loaded = WebAssets::Load(web_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument) << loaded.status();
  // Exactly the limit is fine.
  fs::resize_file(big, WebAssets::kMaxFileBytes);
  auto at_limit = WebAssets::Load(web_);
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  auto r = (*at_limit)->Serve(Get("/assets/huge.bin"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body.size(), WebAssets::kMaxFileBytes);
  EXPECT_EQ(HeaderOf(*r, "content-type"), "application/octet-stream");
}

TEST_F(WebAssetsTest, SymlinksAreNotServed) {
  fs::create_symlink(tmp_.Sub("secret.txt"), web_ + "/linked.txt");
  fs::create_symlink(tmp_.Sub("secret"), web_ + "/linked");
  fs::create_directories(tmp_.Sub("outside"));
  Write(tmp_.Sub("outside/inner.txt"), "OUTSIDE DIR SECRET");
  fs::create_directory_symlink(tmp_.Sub("outside"), web_ + "/linkdir");
  auto web = Load();
  ASSERT_NE(web, nullptr);
  EXPECT_FALSE(web->Serve(Get("/linked.txt")).has_value());
  EXPECT_FALSE(web->Serve(Get("/linkdir/inner.txt")).has_value());
  // A path without a dot is a page of the application: index.html, never the link's target.
  auto page = web->Serve(Get("/linked"));
  if (page) {
    EXPECT_EQ(page->body, kIndex);
  }
  EXPECT_EQ(web->FileCount(), 5u);  // index.html, two assets, favicon.svg, data.json.
}

TEST_F(WebAssetsTest, PathTraversalServesNothingOutsideTheDirectory) {
  auto web = Load();
  ASSERT_NE(web, nullptr);
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/../../../../etc/passwd", "/../secret", "/..",
                           "/./../secret.txt", "//etc/passwd", "/nested/../../secret.txt"}) {
    SCOPED_TRACE(path);
    auto r = web->Serve(Get(path));
    if (!r) continue;
    // Only the application's own index.html may answer a page-like path.
    EXPECT_EQ(r->body, kIndex);
    EXPECT_EQ(r->body.find("SECRET"), std::string::npos);
    EXPECT_EQ(r->body.find("root:"), std::string::npos);
  }
  EXPECT_FALSE(web->Serve(Get("/../secret.txt")).has_value());
  EXPECT_FALSE(web->Serve(Get("/../../../../etc/passwd.txt")).has_value());
}

}  // namespace
}  // namespace aisafe::server
