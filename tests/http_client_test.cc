// The federation HTTP client against our own server core on 127.0.0.1
// (plain and HTTPS with a CA and certificates made here with the OpenSSL 3
// API), and against a raw socket server that misbehaves on purpose: closes
// idle connections under the client, cuts responses short, never answers,
// answers chunked.
#include "federation/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/http_server.h"
#include "tests/test_util.h"

namespace aisafe::federation {
namespace {

using server::HttpServer;
using server::Request;
using server::Response;
using server::ServerOptions;

// Debian's Abseil has its own string_view, which Status::message() returns.
bool Contains(absl::string_view haystack, std::string_view needle) {
  return std::string_view(haystack.data(), haystack.size()).find(needle) != std::string_view::npos;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Polls `done` until it holds or 5 s pass.
bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

// Echoes the request: the body as the body, the rest as headers. GET
// /big?N answers N bytes of Pattern().
Response Echo(const Request& req) {
  Response r;
  r.headers = {{"X-Method", req.method},
               {"X-Path", req.path},
               {"X-Query", req.query},
               {"X-Host", std::string(req.Header("host").value_or("-"))},
               {"X-User-Agent", std::string(req.Header("user-agent").value_or("-"))},
               {"X-Content-Length", std::string(req.Header("content-length").value_or("-"))},
               {"X-Test", std::string(req.Header("x-test").value_or("-"))},
               {"X-Tls", req.tls ? "1" : "0"}};
  if (req.path == "/big") {
    r.body = Pattern(std::stoul(req.query));
  } else {
    r.body = req.body;
  }
  return r;
}

ServerOptions TestServerOptions() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.threads = 2;
  return o;
}

std::unique_ptr<HttpServer> MustStart(ServerOptions options, server::Handler handler = Echo) {
  auto s = HttpServer::Start(std::move(options), std::move(handler));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

Url LocalUrl(uint16_t port, bool tls = false, std::string base_path = "") {
  Url u;
  u.tls = tls;
  u.host = "127.0.0.1";
  u.port = port;
  u.base_path = std::move(base_path);
  return u;
}

ClientRequest Get(std::string target) {
  ClientRequest r;
  r.target = std::move(target);
  return r;
}

ClientRequest Post(std::string target, std::string body) {
  ClientRequest r;
  r.method = "POST";
  r.target = std::move(target);
  r.body = std::move(body);
  return r;
}

// A port nothing listens on: bound by the kernel's choice, then released.
uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// ---------------------------------------------------------------------------
// A raw server: accepts connections on 127.0.0.1 one at a time and runs a
// script on each, so a test decides byte by byte what the client sees.

class RawServer;

class RawConn {
 public:
  RawConn(RawServer* server, int fd, int index) : server_(server), fd_(fd), index_(index) {}
  int index() const { return index_; }

  // One request (head and Content-Length body), or nullopt if the client
  // closed, 5 s passed, or the server is stopping.
  std::optional<std::string> ReadRequest();
  // False once the client has gone.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Holds the connection open, answering nothing, until the client closes
  // it or the server stops.
  void HoldUntilClosed();
  // Whatever arrives first (up to 5 s), raw.
  std::string ReadSome() {
    Fill(5000);
    return std::move(buf_);
  }

 private:
  bool Fill(int timeout_ms);

  RawServer* server_;
  int fd_;
  int index_;
  std::string buf_;
};

class RawServer {
 public:
  using Script = std::function<void(RawConn&)>;

  explicit RawServer(Script script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  int closed() const { return closed_.load(); }  // Connections the server has closed.
  bool stopping() const { return stop_.load(); }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      RawConn conn(this, c, accepted_++);
      script_(conn);
      ::close(c);
      ++closed_;
    }
  }

  Script script_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> closed_{0};
  std::thread thread_;
};

bool RawConn::Fill(int timeout_ms) {
  for (int waited = 0; waited < timeout_ms && !server_->stopping(); waited += 20) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) == 0) continue;
    char b[65536];
    ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n <= 0) return false;
    buf_.append(b, static_cast<size_t>(n));
    return true;
  }
  return false;
}

std::optional<std::string> RawConn::ReadRequest() {
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(5000)) return std::nullopt;
  }
  size_t length = 0;
  std::string head = buf_.substr(0, end + 4);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (size_t cl = head.find("\r\ncontent-length:"); cl != std::string::npos) length = std::stoul(head.substr(cl + 17));
  while (buf_.size() < end + 4 + length) {
    if (!Fill(5000)) return std::nullopt;
  }
  std::string request = buf_.substr(0, end + 4 + length);
  buf_.erase(0, end + 4 + length);
  return request;
}

void RawConn::HoldUntilClosed() {
  while (!server_->stopping()) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) == 0) continue;
    char b[4096];
    if (::recv(fd_, b, sizeof b, 0) <= 0) return;
  }
}

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
constexpr std::string_view kSecond = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond";

// ---------------------------------------------------------------------------

TEST(ParseUrl, AcceptsHttpAndHttpsWithHostsPortsAndPrefixes) {
  auto u = ParseUrl("http://example.org");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "example.org");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->base_path, "");
  EXPECT_EQ(u->ToString(), "http://example.org");

  u = ParseUrl("HTTPS://Node-1.Example.ORG:8443/aisafe/node/");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "node-1.example.org");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->base_path, "/aisafe/node");
  EXPECT_EQ(u->ToString(), "https://node-1.example.org:8443/aisafe/node");

  u = ParseUrl("https://127.0.0.1:443/");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->base_path, "");
  EXPECT_EQ(u->ToString(), "https://127.0.0.1");

  u = ParseUrl("http://[::1]:8080/p%20q");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->base_path, "/p%20q");
  EXPECT_EQ(u->ToString(), "http://[::1]:8080/p%20q");

  u = ParseUrl("https://[2001:DB8::1]");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "2001:db8::1");
  EXPECT_EQ(u->port, 443);

  // ToString round-trips.
  for (std::string_view text :
       {"http://a.b", "https://a.b:1/x/y", "http://[fe80::1]:65535/z", "https://10.0.0.1:80", "http://h_1"}) {
    auto parsed = ParseUrl(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    auto again = ParseUrl(parsed->ToString());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->tls, parsed->tls);
    EXPECT_EQ(again->host, parsed->host);
    EXPECT_EQ(again->port, parsed->port);
    EXPECT_EQ(again->base_path, parsed->base_path);
    EXPECT_EQ(parsed->ToString(), text);
  }
}

TEST(ParseUrl, RejectsWhatIsNotAPeerBaseUrlNamingTheProblem) {
  struct Case {
    std::string_view text;
    std::string_view says;
  };
  for (const Case& c : std::vector<Case>{
           {"ftp://example.org", "scheme"}, {"example.org:80", "scheme"},
           {"//example.org", "scheme"},     {"http://", "host"},
           {"http://:80/x", "host"},        {"http://exa mple.org", "host"},
           {"http://a..b", "host"},         {"http://1.2.3.999", "host"},
           {"http://::1/", "host"},         {"http://[::1", "IPv6"},
           {"http://[not:v6]:80", "IPv6"},  {"http://[::1]x", "after"},
           {"http://h:0", "port"},          {"http://h:65536", "port"},
           {"http://h:", "port"},           {"http://h:8x", "port"},
           {"http://h:-1", "port"},         {"http://h/x?a=1", "query"},
           {"http://h?a=1", "query"},       {"http://h/x#frag", "fragment"},
           {"http://h/a b", "path"},        {"http://h/%zz", "path"},
       }) {
    auto u = ParseUrl(c.text);
    ASSERT_FALSE(u.ok()) << c.text;
    EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_TRUE(Contains(u.status().message(), c.says)) << c.text << ": " << u.status();
  }
  // Userinfo is refused without echoing it (it may be a password).
  auto u = ParseUrl("https://alice:s3cret@example.org/");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(u.status().message(), "userinfo")) << u.status();
  EXPECT_FALSE(Contains(u.status().message(), "s3cret")) << u.status();
}

TEST(HttpClient, GetPostAndHeadRoundTripWithLargeBodies) {
  auto server = MustStart(TestServerOptions());
  ASSERT_TRUE(server);
  HttpClient client(LocalUrl(server->port()), ClientOptions{});

  ClientRequest get = Get("/v1/records?type=incident");
  get.headers = {{"X-Test", "hello"}, {"Accept", "application/json"}};
  auto r = client.Send(get);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("x-method"), "GET");
  EXPECT_EQ(r->Header("X-Path"), "/v1/records");
  EXPECT_EQ(r->Header("x-query"), "type=incident");
  EXPECT_EQ(r->Header("x-test"), "hello");
  EXPECT_EQ(r->Header("x-host"), "127.0.0.1:" + std::to_string(server->port()));
  EXPECT_EQ(r->Header("x-user-agent"), "aisafe");
  EXPECT_EQ(r->Header("x-content-length"), "-");  // A GET without a body has none.
  EXPECT_EQ(r->Header("content-length"), "0");
  EXPECT_FALSE(r->Header("no-such-header").has_value());
  for (const auto& [name, value] : r->headers) EXPECT_EQ(name, Lower(name)) << name;
  EXPECT_EQ(r->body, "");

  // Several MB each way.
  std::string up = Pattern(5'000'000);
  r = client.Send(Post("/upload", up));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("x-content-length"), "5000000");
  EXPECT_TRUE(r->body == up) << "echoed body differs, size " << r->body.size();

  r = client.Send(Get("/big?7000000"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body.size(), 7'000'000u);
  EXPECT_TRUE(r->body == Pattern(7'000'000));

  // POST with an empty body still says Content-Length: 0.
  r = client.Send(Post("/empty", ""));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Header("x-content-length"), "0");

  // A caller's User-Agent replaces the default; other methods pass through.
  ClientRequest put = Post("/put", "x");
  put.method = "PUT";
  put.headers = {{"User-Agent", "aisafe-puller/1"}};
  r = client.Send(put);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Header("x-method"), "PUT");
  EXPECT_EQ(r->Header("x-user-agent"), "aisafe-puller/1");

  // HEAD: the head only, on a connection that stays usable.
  ClientRequest head = Get("/big?1000");
  head.method = "HEAD";
  r = client.Send(head);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-length"), "1000");
  EXPECT_EQ(r->body, "");
  r = client.Send(Get("/big?10"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, Pattern(10));

  EXPECT_EQ(client.Stats().connections_opened, 1u);
  EXPECT_EQ(client.Stats().retries, 0u);
}

TEST(HttpClient, NonSuccessStatusesAreResponsesNotErrors) {
  auto server = MustStart(TestServerOptions(), [](const Request& req) {
    Response r;
    r.status = std::stoi(req.path.substr(1));
    r.body = "status " + req.path.substr(1);
    return r;
  });
  ASSERT_TRUE(server);
  HttpClient client(LocalUrl(server->port()), ClientOptions{});
  for (int status : {204, 304, 404, 429, 500, 503}) {
    auto r = client.Send(Get("/" + std::to_string(status)));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(r->body, status == 204 || status == 304 ? "" : "status " + std::to_string(status));
  }
  EXPECT_EQ(client.Stats().connections_opened, 1u);
}

TEST(HttpClient, BasePathIsPrependedToEveryTarget) {
  auto server = MustStart(TestServerOptions());
  ASSERT_TRUE(server);
  auto url = ParseUrl("http://127.0.0.1:" + std::to_string(server->port()) + "/peer/one/");
  ASSERT_TRUE(url.ok()) << url.status();
  HttpClient client(*url, ClientOptions{});
  EXPECT_EQ(client.url().base_path, "/peer/one");
  struct Case {
    std::string target, path, query;
  };
  for (const Case& c : std::vector<Case>{{"/v1/records", "/peer/one/v1/records", ""},
                                         {"/log/tile/0/000?x=1", "/peer/one/log/tile/0/000", "x=1"},
                                         {"", "/peer/one", ""},
                                         {"?a=b", "/peer/one", "a=b"}}) {
    auto r = client.Send(Get(c.target));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->Header("x-path"), c.path) << c.target;
    EXPECT_EQ(r->Header("x-query"), c.query) << c.target;
  }
  // Without a base path, "" is "/".
  HttpClient bare(LocalUrl(server->port()), ClientOptions{});
  auto r = bare.Send(Get(""));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Header("x-path"), "/");
}

TEST(HttpClient, OneHundredSequentialRequestsShareOneConnection) {
  std::atomic<int> handled{0};
  auto server = MustStart(TestServerOptions(), [&](const Request& req) {
    ++handled;
    return Echo(req);
  });
  ASSERT_TRUE(server);
  HttpClient client(LocalUrl(server->port()), ClientOptions{});
  for (int i = 0; i < 100; ++i) {
    auto r = client.Send(Post("/n", std::to_string(i)));
    ASSERT_TRUE(r.ok()) << i << ": " << r.status();
    EXPECT_EQ(r->body, std::to_string(i));
  }
  EXPECT_EQ(handled.load(), 100);
  EXPECT_EQ(client.Stats().connections_opened, 1u);
  EXPECT_EQ(client.Stats().requests_sent, 100u);

  // Seen from the server's side too: one that accepts a single connection
  // only answers all of them.
  RawServer single([](RawConn& c) {
    if (c.index() > 0) return;  // A second connection gets closed unanswered.
    while (c.ReadRequest()) c.Send(kOk);
  });
  HttpClient raw_client(LocalUrl(single.port()), ClientOptions{});
  for (int i = 0; i < 20; ++i) {
    auto r = raw_client.Send(Get("/"));
    ASSERT_TRUE(r.ok()) << i << ": " << r.status();
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(single.accepted(), 1);
  EXPECT_EQ(raw_client.Stats().connections_opened, 1u);
}

TEST(HttpClient, ReconnectsAfterTheServerRestarts) {
  auto server = MustStart(TestServerOptions());
  ASSERT_TRUE(server);
  uint16_t port = server->port();
  ClientOptions options;
  options.request_timeout = absl::Seconds(10);
  HttpClient client(LocalUrl(port), options);
  auto r = client.Send(Post("/a", "before"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "before");

  server->Shutdown();  // Closes the idle keep-alive connection.
  server.reset();
  r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();

  ServerOptions again = TestServerOptions();
  again.port = port;
  server = MustStart(again);
  ASSERT_TRUE(server);
  r = client.Send(Post("/b", "after"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "after");

  // And once more without a failed request in between.
  server->Shutdown();
  server = MustStart(again);
  ASSERT_TRUE(server);
  r = client.Send(Post("/c", "again"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "again");
  EXPECT_EQ(client.Stats().connections_opened, 3u);
}

TEST(HttpClient, ConnectionRefusedIsUnavailableNamingThePeer) {
  uint16_t port = FreePort();
  HttpClient client(LocalUrl(port), ClientOptions{});
  auto r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "127.0.0.1:" + std::to_string(port))) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "refused")) << r.status();
  EXPECT_EQ(client.Stats().connections_opened, 0u);
}

TEST(HttpClient, APeerThatNeverAnswersIsDeadlineExceeded) {
  RawServer silent([](RawConn& c) { c.HoldUntilClosed(); });
  ClientOptions options;
  options.request_timeout = absl::Milliseconds(300);
  HttpClient client(LocalUrl(silent.port()), options);
  auto r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "127.0.0.1:" + std::to_string(silent.port()))) << r.status();

  // A peer that trickles a response never finishing it is cut off too.
  RawServer trickle([](RawConn& c) {
    if (!c.ReadRequest()) return;
    c.Send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    for (int i = 0; i < 100 && c.Send("x"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  HttpClient slow(LocalUrl(trickle.port()), options);
  r = slow.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
}

TEST(HttpClient, AFullListenBacklogIsDeadlineExceeded) {
  // A listener that never accepts: once its backlog is full, SYNs go
  // unanswered, so connecting hangs (or, if the kernel still completes it,
  // the request does). Either way the client gives up in time.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 0), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  uint16_t port = ntohs(a.sin_port);
  ClientOptions options;
  options.connect_timeout = absl::Milliseconds(300);
  options.request_timeout = absl::Milliseconds(600);
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<HttpClient>(LocalUrl(port), options));
    auto r = clients.back()->Send(Get("/"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << i << ": " << r.status();
  }
  ::close(fd);
}

TEST(HttpClient, BodiesBeyondMaxBodyBytesAreResourceExhausted) {
  auto server = MustStart(TestServerOptions());
  ASSERT_TRUE(server);
  ClientOptions options;
  options.max_body_bytes = 1000;
  HttpClient client(LocalUrl(server->port()), options);
  auto r = client.Send(Get("/big?1000"));  // At the limit: fine.
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body.size(), 1000u);
  r = client.Send(Get("/big?1001"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "1000")) << r.status();
  r = client.Send(Get("/big?2000000"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
  // The client is usable afterwards, on a new connection.
  r = client.Send(Get("/big?10"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, Pattern(10));
}

TEST(HttpClient, ChunkedResponsesAreDecodedAndLimited) {
  // 3 chunks of 400 bytes = 1200 bytes, with a chunk extension and a trailer.
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n";
  std::string body = Pattern(1200);
  for (int i = 0; i < 3; ++i) chunked += "190;ext=1\r\n" + body.substr(400 * i, 400) + "\r\n";
  chunked += "0\r\nX-Trailer: t\r\n\r\n";
  RawServer raw([&](RawConn& c) {
    while (c.ReadRequest()) c.Send(chunked);
  });

  HttpClient client(LocalUrl(raw.port()), ClientOptions{});
  for (int i = 0; i < 3; ++i) {  // Over one kept-alive connection.
    auto r = client.Send(Get("/"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("x-kind"), "chunked");
    EXPECT_TRUE(r->body == body) << r->body.size();
  }
  EXPECT_EQ(raw.accepted(), 1);
  client.Close();  // The raw server serves one connection at a time.

  ClientOptions small;
  small.max_body_bytes = 1000;
  HttpClient limited(LocalUrl(raw.port()), small);
  auto r = limited.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
}

TEST(HttpClient, ABodyEndedByClosingTheConnectionIsRead) {
  RawServer raw([](RawConn& c) {
    if (!c.ReadRequest()) return;
    c.Send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  });
  HttpClient client(LocalUrl(raw.port()), ClientOptions{});
  auto r = client.Send(Get("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "until the end");
}

TEST(HttpClient, InterimResponsesAreSkipped) {
  RawServer raw([](RawConn& c) {
    while (c.ReadRequest()) {
      c.Send("HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n");
      c.Send(kOk);
    }
  });
  HttpClient client(LocalUrl(raw.port()), ClientOptions{});
  for (int i = 0; i < 2; ++i) {
    auto r = client.Send(Get("/"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
  }
}

TEST(HttpClient, BadRequestsAreInvalidArgumentAndNotSent) {
  std::atomic<int> handled{0};
  auto server = MustStart(TestServerOptions(), [&](const Request& req) {
    ++handled;
    return Echo(req);
  });
  ASSERT_TRUE(server);
  HttpClient client(LocalUrl(server->port()), ClientOptions{});
  std::vector<ClientRequest> bad;
  ClientRequest r = Get("/");
  r.headers = {{"X-Test", "a\r\nInjected: yes"}};
  bad.push_back(r);
  r.headers = {{"X-Test", "a\nb"}};
  bad.push_back(r);
  r.headers = {{"X Test", "a"}};
  bad.push_back(r);
  r.headers = {{"X-Test\r\nInjected", "a"}};
  bad.push_back(r);
  r.headers = {{"", "a"}};
  bad.push_back(r);
  for (std::string own : {"Host", "content-length", "Transfer-Encoding", "Connection"}) {
    r.headers = {{own, "x"}};
    bad.push_back(r);
  }
  bad.push_back(Get("no-slash"));
  bad.push_back(Get("/a b"));
  bad.push_back(Get("/a\r\nInjected: yes"));
  r = Get("/");
  r.method = "GE T";
  bad.push_back(r);
  r.method = "";
  bad.push_back(r);
  for (const ClientRequest& b : bad) {
    auto response = client.Send(b);
    ASSERT_FALSE(response.ok()) << b.method << " " << b.target;
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << response.status();
  }
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(client.Stats().requests_sent, 0u);
  // A good request still works.
  auto ok = client.Send(Get("/"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(handled.load(), 1);

  // Urls that did not come from ParseUrl are held to the same rules.
  Url injected = LocalUrl(server->port());
  injected.host = "127.0.0.1\r\nX-Injected: 1";
  Url no_slash = LocalUrl(server->port(), false, "prefix");
  Url space = LocalUrl(server->port(), false, "/a b");
  Url no_port = LocalUrl(0);
  for (const Url& u : {Url{}, injected, no_slash, space, no_port}) {
    HttpClient bad_url(u, ClientOptions{});
    auto e = bad_url.Send(Get("/"));
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << u.host << u.base_path << ": " << e.status();
  }
  EXPECT_EQ(handled.load(), 1);
}

// ---------------------------------------------------------------------------
// When a request is sent again.

TEST(HttpClient, AReusedConnectionClosedBeforeAnyResponseIsRetriedOnce) {
  // The peer reads the second request and closes without answering, as a
  // server closing an idle connection at that very moment would.
  RawServer raw([](RawConn& c) {
    if (c.index() == 0) {
      if (!c.ReadRequest()) return;
      c.Send(kOk);
      c.ReadRequest();
      return;  // Closed unanswered.
    }
    if (c.ReadRequest()) c.Send(kSecond);
  });
  HttpClient client(LocalUrl(raw.port()), ClientOptions{});
  auto r = client.Send(Get("/one"));
  ASSERT_TRUE(r.ok()) << r.status();
  r = client.Send(Post("/two", "payload"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "second");
  EXPECT_EQ(client.Stats().retries, 1u);
  EXPECT_EQ(client.Stats().connections_opened, 2u);
  EXPECT_EQ(client.Stats().requests_sent, 3u);
  EXPECT_EQ(raw.accepted(), 2);
}

TEST(HttpClient, AnIdleConnectionThePeerClosedIsReplacedBeforeSending) {
  RawServer raw([](RawConn& c) {
    if (c.ReadRequest()) c.Send(kOk);  // Keep-alive promised, then closed.
  });
  HttpClient client(LocalUrl(raw.port()), ClientOptions{});
  auto r = client.Send(Get("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(WaitFor([&] { return raw.closed() == 1; }));  // On loopback the FIN is there once close returns.
  r = client.Send(Get("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(client.Stats().connections_opened, 2u);
  EXPECT_EQ(client.Stats().requests_sent, 2u);  // Noticed before sending: no request was lost to it.
  EXPECT_EQ(client.Stats().retries, 0u);
}

TEST(HttpClient, AFreshConnectionClosedBeforeAnyResponseIsNotRetried) {
  RawServer raw([](RawConn& c) {
    if (c.index() == 0) {
      c.ReadRequest();
      return;  // Closed unanswered.
    }
    if (c.ReadRequest()) c.Send(kSecond);
  });
  HttpClient client(LocalUrl(raw.port()), ClientOptions{});
  auto r = client.Send(Post("/once", "x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "127.0.0.1:" + std::to_string(raw.port()))) << r.status();
  EXPECT_EQ(client.Stats().retries, 0u);
  EXPECT_EQ(client.Stats().connections_opened, 1u);
}

TEST(HttpClient, AResponseCutShortIsNotRetried) {
  RawServer raw([](RawConn& c) {
    if (c.index() == 0) {
      if (!c.ReadRequest()) return;
      c.Send(kOk);
      if (!c.ReadRequest()) return;
      c.Send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      return;
    }
    if (c.ReadRequest()) c.Send(kSecond);
  });
  HttpClient client(LocalUrl(raw.port()), ClientOptions{});
  ASSERT_TRUE(client.Send(Get("/")).ok());
  auto r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "middle")) << r.status();
  EXPECT_EQ(client.Stats().retries, 0u);
  EXPECT_EQ(client.Stats().connections_opened, 1u);
}

TEST(HttpClient, ATimeoutOnAReusedConnectionIsNotRetried) {
  RawServer raw([](RawConn& c) {
    if (c.index() == 0) {
      if (!c.ReadRequest()) return;
      c.Send(kOk);
      c.HoldUntilClosed();
      return;
    }
    if (c.ReadRequest()) c.Send(kSecond);
  });
  ClientOptions options;
  options.request_timeout = absl::Milliseconds(300);
  HttpClient client(LocalUrl(raw.port()), options);
  ASSERT_TRUE(client.Send(Get("/")).ok());
  auto r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_EQ(client.Stats().retries, 0u);
  EXPECT_EQ(client.Stats().connections_opened, 1u);
}

TEST(HttpClient, AMalformedResponseIsUnavailable) {
  RawServer raw([](RawConn& c) {
    if (c.ReadRequest()) c.Send("SMTP ready\r\n\r\n");
  });
  HttpClient client(LocalUrl(raw.port()), ClientOptions{});
  auto r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "malformed")) << r.status();
}

// ---------------------------------------------------------------------------
// HTTPS with certificates made here: a CA, and leaves it signs.

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A P-256 certificate valid for one day; self-signed when `issuer` is null.
CertPtr MakeCert(EVP_PKEY* key, const char* cn, long serial, X509* issuer, EVP_PKEY* issuer_key,
                 const std::vector<std::pair<int, const char*>>& extensions) {
  CertPtr x509(X509_new(), X509_free);
  X509_set_version(x509.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(x509.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x509.get()), 24 * 3600);
  X509_set_pubkey(x509.get(), key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x509.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : x509.get();
  X509_set_issuer_name(x509.get(), X509_get_subject_name(signer));
  for (const auto& [nid, value] : extensions) AddExtension(x509.get(), signer, nid, value);
  EXPECT_GT(X509_sign(x509.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()), 0);
  return x509;
}

void WritePem(const std::string& path, X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "w"), BIO_free);
  ASSERT_TRUE(bio);
  EXPECT_EQ(PEM_write_bio_X509(bio.get(), cert), 1);
}

void WritePem(const std::string& path, EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "w"), BIO_free);
  ASSERT_TRUE(bio);
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
}

class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_key_.reset(EVP_EC_gen("P-256"));
    ASSERT_TRUE(ca_key_);
    ca_ = MakeCert(ca_key_.get(), "aisafe test CA", 1, nullptr, nullptr,
                   {{NID_basic_constraints, "critical,CA:TRUE"},
                    {NID_key_usage, "critical,keyCertSign,cRLSign"},
                    {NID_subject_key_identifier, "hash"}});
    ca_file_ = dir_.Sub("ca.pem");
    WritePem(ca_file_, ca_.get());
  }

  // A server whose leaf, signed by the CA, names `san`.
  std::unique_ptr<HttpServer> StartServer(const char* san, long serial, uint16_t port = 0) {
    KeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    EXPECT_TRUE(key);
    if (!key) return nullptr;
    CertPtr leaf = MakeCert(key.get(), "aisafe test node", serial, ca_.get(), ca_key_.get(),
                            {{NID_basic_constraints, "CA:FALSE"},
                             {NID_subject_alt_name, san},
                             {NID_ext_key_usage, "serverAuth"},
                             {NID_authority_key_identifier, "keyid"}});
    std::string name = "leaf" + std::to_string(serial);
    ServerOptions options = TestServerOptions();
    options.port = port;
    options.tls_cert_file = dir_.Sub(name + ".crt");
    options.tls_key_file = dir_.Sub(name + ".key");
    WritePem(options.tls_cert_file, leaf.get());
    WritePem(options.tls_key_file, key.get());
    return MustStart(options);
  }

  ClientOptions WithCa() const {
    ClientOptions o;
    o.ca_file = ca_file_;
    return o;
  }

  aisafe::testing::TempDir dir_;
  KeyPtr ca_key_{nullptr, EVP_PKEY_free};
  CertPtr ca_{nullptr, X509_free};
  std::string ca_file_;
};

TEST_F(HttpsTest, VerifiesTheServerAgainstTheCaFileForAnIpLiteral) {
  auto server = StartServer("IP:127.0.0.1,DNS:localhost", 2);
  ASSERT_TRUE(server);
  HttpClient client(LocalUrl(server->port(), true), WithCa());
  std::string up = Pattern(3'000'000);
  for (int i = 0; i < 10; ++i) {
    auto r = client.Send(Post("/secure", i == 0 ? up : std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->Header("x-tls"), "1");
    EXPECT_TRUE(r->body == (i == 0 ? up : std::to_string(i)));
  }
  auto r = client.Send(Get("/big?4000000"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->body == Pattern(4'000'000));
  EXPECT_EQ(client.Stats().connections_opened, 1u);

  // After the server restarts, the client handshakes again.
  uint16_t port = server->port();
  server->Shutdown();
  server.reset();
  server = StartServer("IP:127.0.0.1", 3, port);
  ASSERT_TRUE(server);
  r = client.Send(Get("/x"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(client.Stats().connections_opened, 2u);
}

TEST_F(HttpsTest, VerifiesTheServerByDnsNameWithSni) {
  auto server = StartServer("DNS:localhost", 4);
  ASSERT_TRUE(server);
  auto url = ParseUrl("https://localhost:" + std::to_string(server->port()) + "/p");
  ASSERT_TRUE(url.ok()) << url.status();
  HttpClient client(*url, WithCa());
  auto r = client.Send(Get("/v1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Header("x-path"), "/p/v1");
  EXPECT_EQ(r->Header("x-host"), "localhost:" + std::to_string(server->port()));

  // The same server by IP: its certificate names no IP address.
  HttpClient by_ip(LocalUrl(server->port(), true), WithCa());
  r = by_ip.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "mismatch")) << r.status();
}

TEST_F(HttpsTest, SniCarriesAHostNameButNeverAnIpLiteral) {
  // The ClientHello is sent in the clear; the raw server keeps it and hangs up.
  std::mutex mu;
  std::vector<std::string> hellos;
  RawServer raw([&](RawConn& c) {
    std::string hello = c.ReadSome();
    std::lock_guard<std::mutex> lock(mu);
    hellos.push_back(std::move(hello));
  });
  auto by_name = ParseUrl("https://localhost:" + std::to_string(raw.port()));
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  for (const Url& url : {*by_name, LocalUrl(raw.port(), true)}) {
    HttpClient client(url, WithCa());
    auto r = client.Send(Get("/"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  }
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(hellos.size(), 2u);
  EXPECT_TRUE(Contains(hellos[0], "localhost"));
  EXPECT_FALSE(Contains(hellos[1], "127.0.0.1"));
}

TEST_F(HttpsTest, VerificationFailsWithoutTheCaFile) {
  auto server = StartServer("IP:127.0.0.1", 5);
  ASSERT_TRUE(server);
  HttpClient client(LocalUrl(server->port(), true), ClientOptions{});  // System CAs only.
  auto r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "127.0.0.1:" + std::to_string(server->port()))) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "certificate")) << r.status();

  // A different CA does not do either.
  KeyPtr other_key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  CertPtr other = MakeCert(other_key.get(), "aisafe test CA", 1, nullptr, nullptr,
                           {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,keyCertSign"}});
  std::string other_file = dir_.Sub("other-ca.pem");
  WritePem(other_file, other.get());
  ClientOptions wrong;
  wrong.ca_file = other_file;
  HttpClient wrong_client(LocalUrl(server->port(), true), wrong);
  r = wrong_client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();

  // Turning verification off connects (for tests and pinned setups only).
  ClientOptions insecure;
  insecure.verify_tls = false;
  HttpClient insecure_client(LocalUrl(server->port(), true), insecure);
  r = insecure_client.Send(Get("/"));
  ASSERT_TRUE(r.ok()) << r.status();
}

TEST_F(HttpsTest, AMissingCaFileIsInvalidArgument) {
  ClientOptions options;
  options.ca_file = dir_.Sub("missing.pem");
  HttpClient client(LocalUrl(FreePort(), true), options);
  auto r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "missing.pem")) << r.status();
}

TEST_F(HttpsTest, HttpsToAPlainServerIsUnavailable) {
  auto server = MustStart(TestServerOptions());
  ASSERT_TRUE(server);
  ClientOptions options = WithCa();
  options.request_timeout = absl::Seconds(5);
  HttpClient client(LocalUrl(server->port(), true), options);
  auto r = client.Send(Get("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_TRUE(Contains(r.status().message(), "TLS")) << r.status();
}

}  // namespace
}  // namespace aisafe::federation
