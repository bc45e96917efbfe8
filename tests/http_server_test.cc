// The HTTP server core over real sockets on 127.0.0.1: a raw POSIX client
// for exact bytes (malformed requests, trickles, pipelining), Asio's
// ssl::stream for TLS with a certificate made here with the OpenSSL 3 API.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

#include "tests/test_util.h"

namespace aisafe::server {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

milliseconds Since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
}

// Polls `done` until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& done, milliseconds timeout = milliseconds(3000)) {
  auto start = SteadyClock::now();
  while (!done()) {
    if (Since(start) > timeout) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // Names lowercased.
  std::string body;

  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return "";
  }
  bool Has(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return true;
    }
    return false;
  }
};

// A blocking client socket that sends exact bytes and parses responses
// itself. Every read gives up after 5 s, so a broken server fails the test
// instead of hanging it.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      connect_errno_ = errno;
      ::close(fd_);
      fd_ = -1;
      return;
    }
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int connect_errno() const { return connect_errno_; }
  int fd() const { return fd_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response: head, then a body of Content-Length bytes (none after a
  // HEAD request). Nullopt if the connection ends first.
  std::optional<RawResponse> Read(bool head_request = false) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    RawResponse r;
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers.emplace_back(name, value);
      pos = next + 2;
    }
    size_t length = 0;
    if (r.Has("content-length")) length = std::stoul(r.Header("content-length"));
    if (head_request || r.status == 100 || r.status == 204 || r.status == 304) length = 0;
    while (buf_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // Sends a request and reads its response.
  std::optional<RawResponse> RoundTrip(std::string_view request, bool head_request = false) {
    if (!Send(request)) return std::nullopt;
    return Read(head_request);
  }

  // True once the server has closed the connection (EOF or reset) within
  // `timeout`. Bytes that arrive meanwhile are kept in unread().
  bool WaitClosed(milliseconds timeout = milliseconds(3000)) {
    auto start = SteadyClock::now();
    for (;;) {
      long left = static_cast<long>((timeout - Since(start)).count());
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready == 0) return false;
      if (ready < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      char b[4096];
      ssize_t n = ::recv(fd_, b, sizeof b, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
      buf_.append(b, static_cast<size_t>(n));
    }
  }

  const std::string& unread() const { return buf_; }

 private:
  bool Fill() {
    char b[65536];
    for (;;) {
      ssize_t n = ::recv(fd_, b, sizeof b, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(b, static_cast<size_t>(n));
      return true;
    }
  }

  int fd_ = -1;
  int connect_errno_ = 0;
  std::string buf_;
};

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

std::string Post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

// Echoes the request back: the body as the body, the rest as headers.
Response Echo(const Request& req) {
  Response r;
  r.headers = {{"X-Method", req.method},
               {"X-Target", req.target},
               {"X-Path", req.path},
               {"X-Query", req.query},
               {"X-Remote", req.remote_address},
               {"X-Tls", req.tls ? "1" : "0"},
               {"X-Test", std::string(req.Header("x-test").value_or("-"))}};
  r.body = req.body;
  return r;
}

ServerOptions TestOptions() {
  ServerOptions o;
  o.threads = 4;
  return o;
}

std::unique_ptr<HttpServer> MustStart(ServerOptions options, Handler handler = Echo) {
  auto server = HttpServer::Start(std::move(options), std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

// A problem document the core answered with, and a closed connection.
void ExpectProblemAndClose(RawClient& c, const std::optional<RawResponse>& r, int status,
                           std::string_view detail_part) {
  ASSERT_TRUE(r) << "no response";
  EXPECT_EQ(r->status, status);
  EXPECT_EQ(r->Header("content-type"), "application/problem+json");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_NE(r->body.find("\"status\":" + std::to_string(status)), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(detail_part), std::string::npos) << r->body;
  EXPECT_TRUE(c.WaitClosed());
}

TEST(HttpServer, GetAndPostAreEchoed) {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen_headers;
  auto server = MustStart(TestOptions(), [&](const Request& req) {
    std::lock_guard<std::mutex> lock(mu);
    seen_headers = req.headers;
    return Echo(req);
  });
  ASSERT_TRUE(server);
  EXPECT_NE(server->port(), 0);

  RawClient c(server->port());
  auto r = c.RoundTrip(Get("/v1/a%20b%2Fc?type=incident&x=%41", "X-Test: Hello\r\nX-Other: two\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("x-method"), "GET");
  EXPECT_EQ(r->Header("x-target"), "/v1/a%20b%2Fc?type=incident&x=%41");
  EXPECT_EQ(r->Header("x-path"), "/v1/a b/c");
  EXPECT_EQ(r->Header("x-query"), "type=incident&x=%41");
  EXPECT_EQ(r->Header("x-remote"), "127.0.0.1");
  EXPECT_EQ(r->Header("x-tls"), "0");
  EXPECT_EQ(r->Header("x-test"), "Hello");
  EXPECT_EQ(r->Header("content-length"), "0");
  EXPECT_TRUE(r->Has("date"));
  EXPECT_FALSE(r->Has("connection"));
  {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::pair<std::string, std::string>> want = {{"host", "test"}, {"x-test", "Hello"}, {"x-other", "two"}};
    EXPECT_EQ(seen_headers, want);  // Lowercased, in order.
  }

  r = c.RoundTrip(Post("/echo", "hello world"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("x-method"), "POST");
  EXPECT_EQ(r->Header("x-query"), "");
  EXPECT_EQ(r->body, "hello world");
  EXPECT_EQ(r->Header("content-length"), "11");

  r = c.RoundTrip(
      "POST /chunked HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello world");

  // HEAD: the length of the body, but no body (the next response parses).
  r = c.RoundTrip("HEAD /h HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc", /*head_request=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-length"), "3");
  r = c.RoundTrip(Post("/after-head", "xy"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "xy");

  // Absolute-form target: the path is taken from it.
  r = c.RoundTrip(Get("http://test/abs?q=1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("x-path"), "/abs");
  EXPECT_EQ(r->Header("x-query"), "q=1");
}

TEST(HttpServer, KeepAliveFollowsVersionAndConnectionHeader) {
  auto server = MustStart(TestOptions());
  ASSERT_TRUE(server);
  {
    RawClient c(server->port());  // HTTP/1.1: persistent by default.
    for (int i = 0; i < 2; ++i) {
      auto r = c.RoundTrip(Get("/n" + std::to_string(i)));
      ASSERT_TRUE(r);
      EXPECT_EQ(r->Header("x-path"), "/n" + std::to_string(i));
      EXPECT_FALSE(r->Has("connection"));
    }
  }
  {
    RawClient c(server->port());
    auto r = c.RoundTrip(Get("/bye", "Connection: close\r\n"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    RawClient c(server->port());  // HTTP/1.0: closes unless asked to keep alive.
    auto r = c.RoundTrip("GET /old HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    RawClient c(server->port());
    for (int i = 0; i < 2; ++i) {
      auto r = c.RoundTrip("GET /old-ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->Header("connection"), "keep-alive");
    }
  }
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  auto server = MustStart(TestOptions());
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send(Get("/1") + Post("/2", "two") + Get("/3") + Get("/4", "Connection: close\r\n") + Get("/5")));
  for (std::string path : {"/1", "/2", "/3", "/4"}) {
    auto r = c.Read();
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->Header("x-path"), path);
  }
  EXPECT_TRUE(c.WaitClosed());  // /4 asked to close: /5 is never answered.
  EXPECT_EQ(c.unread(), "");
}

TEST(HttpServer, MalformedRequestsAre400AndClose) {
  std::atomic<int> handled{0};
  auto server = MustStart(TestOptions(), [&](const Request& req) {
    ++handled;
    return Echo(req);
  });
  ASSERT_TRUE(server);
  {
    RawClient c(server->port());
    ExpectProblemAndClose(c, c.RoundTrip("GARBAGE\r\n\r\n"), 400, "malformed request");
  }
  {
    RawClient c(server->port());
    ExpectProblemAndClose(c, c.RoundTrip("GET /x HTTP/1.1 extra\r\nHost: a\r\n\r\n"), 400, "malformed request");
  }
  {
    RawClient c(server->port());
    ExpectProblemAndClose(c, c.RoundTrip("GET /x HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n"), 400,
                          "malformed request");
  }
  {
    RawClient c(server->port());
    ExpectProblemAndClose(c, c.RoundTrip("GET /x HTTP/1.1\r\n\r\n"), 400, "without a Host header");
  }
  {
    RawClient c(server->port());
    ExpectProblemAndClose(c, c.RoundTrip(Get("/bad%zzescape")), 400, "percent-encoding");
  }
  {
    RawClient c(server->port());
    ExpectProblemAndClose(c, c.RoundTrip("GET /x HTTP/2.0\r\nHost: a\r\n\r\n"), 400, "bad version");
  }
  EXPECT_EQ(handled.load(), 0);
  RawClient good(server->port());  // The server is unharmed.
  auto r = good.RoundTrip(Get("/fine"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, HugeHeadersAre431AndClose) {
  auto server = MustStart(TestOptions());  // max_header_bytes: 16 KiB.
  ASSERT_TRUE(server);
  RawClient c(server->port());
  std::string big = Get("/big", "X-Big: " + std::string(20000, 'a') + "\r\n");
  ExpectProblemAndClose(c, c.RoundTrip(big), 431, "request head larger than 16384 bytes");

  RawClient many(server->port());  // Many small fields, same limit.
  std::string fields;
  for (int i = 0; i < 2000; ++i) fields += "X-F" + std::to_string(i) + ": v\r\n";
  ExpectProblemAndClose(many, many.RoundTrip(Get("/many", fields)), 431, "16384");

  RawClient good(server->port());
  auto r = good.RoundTrip(Get("/fine", "X-Big: " + std::string(10000, 'a') + "\r\n"));  // Under the limit.
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, BodiesOverTheLimitAre413) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  std::atomic<int> handled{0};
  auto server = MustStart(options, [&](const Request& req) {
    ++handled;
    return Echo(req);
  });
  ASSERT_TRUE(server);
  {
    // Declared 100 MB, 10 bytes sent: answered at once from Content-Length.
    RawClient c(server->port());
    auto start = SteadyClock::now();
    auto r = c.RoundTrip("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n0123456789");
    EXPECT_LT(Since(start).count(), 1000);
    ExpectProblemAndClose(c, r, 413, "request body larger than 1024 bytes");
  }
  {
    RawClient c(server->port());  // Chunked: cut off while reading.
    std::string chunk(512, 'x');
    std::string req = "POST /chunks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) req += "200\r\n" + chunk + "\r\n";
    ExpectProblemAndClose(c, c.RoundTrip(req), 413, "1024");
  }
  {
    RawClient c(server->port());  // Exactly the limit is fine.
    auto r = c.RoundTrip(Post("/ok", std::string(1024, 'y')));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body.size(), 1024u);
  }
  {
    // Expect: 100-continue within the limit: 100 first, then the body.
    RawClient c(server->port());
    auto interim = c.RoundTrip("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    auto r = c.RoundTrip("hello");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello");
  }
  {
    // ... and over it: 413 without a 100, the body never sent.
    RawClient c(server->port());
    auto r = c.RoundTrip("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
    ExpectProblemAndClose(c, r, 413, "1024");
  }
  EXPECT_EQ(handled.load(), 2);
}

TEST(HttpServer, SlowlorisTrickleIsCutOffWhileOthersAreServed) {
  ServerOptions options = TestOptions();
  options.header_timeout = absl::Seconds(1);
  auto server = MustStart(options);
  ASSERT_TRUE(server);

  // One byte every 50 ms, never finishing the head: stopped at about 1 s
  // although bytes keep arriving. The trickle gives up by itself at 4 s.
  std::promise<std::pair<std::optional<RawResponse>, milliseconds>> trickle_result;
  std::atomic<bool> trickling{false};
  std::thread trickle([&] {
    RawClient c(server->port());
    std::string head = "GET /slow HTTP/1.1\r\nHost: a\r\nX-Slow: " + std::string(1000, 'z');
    auto start = SteadyClock::now();
    for (size_t i = 0; i < head.size() && Since(start) < milliseconds(4000); ++i) {
      if (!c.Send(head.substr(i, 1))) break;
      trickling = true;
      pollfd p{c.fd(), POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) break;  // The server answered (or closed).
    }
    auto r = c.Read();
    auto elapsed = Since(start);
    c.WaitClosed();
    trickle_result.set_value({r, elapsed});
  });

  // Meanwhile other clients are served promptly.
  ASSERT_TRUE(WaitFor([&] { return trickling.load(); }));
  for (int i = 0; i < 5; ++i) {
    RawClient c(server->port());
    auto start = SteadyClock::now();
    auto r = c.RoundTrip(Get("/other"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(Since(start).count(), 900);  // Not held up until the trickle is cut off.
    std::this_thread::sleep_for(milliseconds(100));
  }
  auto [r, elapsed] = trickle_result.get_future().get();
  trickle.join();
  ASSERT_TRUE(r) << "no 408 for the trickle";
  EXPECT_EQ(r->status, 408);
  EXPECT_NE(r->body.find("request head not received within 1000 ms"), std::string::npos) << r->body;
  EXPECT_GE(elapsed.count(), 900);
  EXPECT_LT(elapsed.count(), 2500);
}

TEST(HttpServer, IdleAndSilentConnectionsAreClosed) {
  ServerOptions options = TestOptions();
  options.idle_timeout = absl::Milliseconds(300);
  options.header_timeout = absl::Milliseconds(400);
  auto server = MustStart(options);
  ASSERT_TRUE(server);
  RawClient idle(server->port());
  ASSERT_TRUE(idle.RoundTrip(Get("/")));
  auto start = SteadyClock::now();
  RawClient silent(server->port());  // Connects and never sends.
  EXPECT_TRUE(idle.WaitClosed());
  EXPECT_GE(Since(start).count(), 250);
  EXPECT_TRUE(silent.WaitClosed());
  EXPECT_GE(Since(start).count(), 350);
  EXPECT_EQ(idle.unread(), "");  // Closed silently: no 408 for an idle connection.
  EXPECT_EQ(silent.unread(), "");
}

TEST(HttpServer, ConnectionsBeyondTheLimitGet503) {
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  auto server = MustStart(options);
  ASSERT_TRUE(server);
  auto a = std::make_unique<RawClient>(server->port());
  RawClient b(server->port());
  ASSERT_TRUE(a->RoundTrip(Get("/a")));
  ASSERT_TRUE(b.RoundTrip(Get("/b")));

  RawClient c(server->port());
  ExpectProblemAndClose(c, c.RoundTrip(Get("/c")), 503, "limit of 2 connections");

  a.reset();  // A slot frees up once the server sees A leave.
  bool served = WaitFor([&] {
    RawClient d(server->port());
    auto r = d.RoundTrip(Get("/d"));
    return r && r->status == 200;
  });
  EXPECT_TRUE(served);
}

TEST(HttpServer, HandlerFailuresAre500AndTheServerGoesOn) {
  auto server = MustStart(TestOptions(), [](const Request& req) -> Response {
    if (req.path == "/throw") throw std::runtime_error("boom");
    if (req.path == "/status") return Response{42, {}, ""};
    if (req.path == "/inject") return Response{200, {{"X-A", "a\r\nSet-Cookie: evil"}}, ""};
    if (req.path == "/own-length") return Response{200, {{"Content-Length", "999"}}, "abc"};
    if (req.path == "/no-content") return Response{204, {}, ""};
    return Echo(req);
  });
  ASSERT_TRUE(server);
  RawClient c(server->port());
  for (std::string path : {"/throw", "/status", "/inject"}) {
    auto r = c.RoundTrip(Get(path));
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 500) << path;
    EXPECT_EQ(r->Header("content-type"), "application/problem+json");
    EXPECT_FALSE(r->Has("set-cookie"));
  }
  auto r = c.RoundTrip(Get("/own-length"));  // The server's Content-Length wins.
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-length"), "3");
  EXPECT_EQ(r->body, "abc");
  r = c.RoundTrip(Get("/no-content"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->Has("content-length"));
  r = c.RoundTrip(Get("/still-here"));  // Same connection, still alive.
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, ObserverSeesEveryExchange) {
  std::mutex mu;
  std::vector<Exchange> seen;
  ServerOptions options = TestOptions();
  options.max_body_bytes = 100;
  options.observer = [&](const Exchange& x) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(x);
  };
  auto server = MustStart(options);
  ASSERT_TRUE(server);
  {
    RawClient c(server->port());
    ASSERT_TRUE(c.RoundTrip(Post("/v1/records?type=x", "body")));
  }
  {
    RawClient c(server->port());
    ASSERT_TRUE(c.RoundTrip("NOT HTTP AT ALL\r\n\r\n"));
  }
  {
    RawClient c(server->port());
    ASSERT_TRUE(c.RoundTrip(Post("/big", std::string(200, 'x'))));
  }
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return seen.size() == 3;
  }));
  std::lock_guard<std::mutex> lock(mu);
  // Reported after each write completes, on the connections' own threads,
  // so not necessarily in the order the clients saw their responses.
  std::sort(seen.begin(), seen.end(), [](const Exchange& a, const Exchange& b) { return a.status < b.status; });
  EXPECT_EQ(seen[0].status, 200);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/v1/records?type=x");
  EXPECT_EQ(seen[0].remote_address, "127.0.0.1");
  EXPECT_GT(seen[0].response_bytes, 4u);
  EXPECT_GE(seen[0].duration, absl::ZeroDuration());
  EXPECT_EQ(seen[1].status, 400);
  EXPECT_EQ(seen[1].method, "");
  EXPECT_EQ(seen[2].status, 413);
  EXPECT_EQ(seen[2].method, "POST");
  EXPECT_EQ(seen[2].target, "/big");
}

// A self-signed P-256 certificate for "localhost", valid for one day,
// written as PEM into `dir`.
struct TestCert {
  std::string cert_file, key_file;
};

TestCert MakeTestCert(const std::string& dir, const std::string& name) {
  TestCert out{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), X509_free);
  EXPECT_TRUE(key && x509);
  if (!key || !x509) return out;
  X509_set_version(x509.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x509.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x509.get()), 24 * 3600);
  X509_set_pubkey(x509.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(x509.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                             0);
  X509_set_issuer_name(x509.get(), subject);
  EXPECT_GT(X509_sign(x509.get(), key.get(), EVP_sha256()), 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new_file(out.cert_file.c_str(), "w"), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new_file(out.key_file.c_str(), "w"), BIO_free);
  EXPECT_EQ(PEM_write_bio_X509(cert_bio.get(), x509.get()), 1);
  EXPECT_EQ(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr), 1);
  return out;
}

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

TEST(HttpServer, ServesHttpsWithACertificateMadeAtTestTime) {
  aisafe::testing::TempDir dir;
  TestCert cert = MakeTestCert(dir.path(), "server");
  ServerOptions options = TestOptions();
  options.tls_cert_file = cert.cert_file;
  options.tls_key_file = cert.key_file;
  options.header_timeout = absl::Milliseconds(500);
  auto server = MustStart(options);
  ASSERT_TRUE(server);

  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.set_verify_mode(net::ssl::verify_none);
  net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), server->port());
  {
    net::ssl::stream<net::ip::tcp::socket> tls(ioc, ctx);
    tls.next_layer().connect(endpoint);
    tls.handshake(net::ssl::stream_base::client);
    EXPECT_GE(SSL_version(tls.native_handle()), TLS1_2_VERSION);
    beast::flat_buffer buffer;
    for (int i = 0; i < 2; ++i) {  // Keep-alive over TLS.
      http::request<http::string_body> req{http::verb::post, "/secure?x=1", 11};
      req.set(http::field::host, "localhost");
      req.body() = "over tls";
      req.prepare_payload();
      http::write(tls, req);
      http::response<http::string_body> res;
      http::read(tls, buffer, res);
      EXPECT_EQ(res.result_int(), 200u);
      EXPECT_EQ(res.body(), "over tls");
      EXPECT_EQ(res["X-Tls"], "1");
      EXPECT_EQ(res["X-Path"], "/secure");
    }
  }
  {
    // A slow head over TLS gets its 408 too.
    net::ssl::stream<net::ip::tcp::socket> tls(ioc, ctx);
    tls.next_layer().connect(endpoint);
    tls.handshake(net::ssl::stream_base::client);
    std::string partial = "GET / HTTP/1.1\r\nHost: a\r\n";
    net::write(tls, net::buffer(partial));
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(tls, buffer, res, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(res.result_int(), 408u);
  }
  {
    // Plain HTTP to the TLS port gets no 200.
    RawClient plain(server->port());
    ASSERT_TRUE(plain.Send(Get("/")));
    EXPECT_TRUE(plain.WaitClosed());
    EXPECT_EQ(plain.unread().find(" 200 "), std::string::npos);
  }
}

TEST(HttpServer, BadTlsFilesAreInvalidArgumentNamingTheFile) {
  aisafe::testing::TempDir dir;
  TestCert good = MakeTestCert(dir.path(), "good");
  TestCert other = MakeTestCert(dir.path(), "other");
  std::string garbage = dir.Sub("garbage.pem");
  {
    std::unique_ptr<FILE, decltype(&fclose)> f(fopen(garbage.c_str(), "w"), fclose);
    fputs("not a certificate\n", f.get());
  }
  auto try_start = [](std::string cert, std::string key) {
    ServerOptions o = TestOptions();
    o.tls_cert_file = std::move(cert);
    o.tls_key_file = std::move(key);
    return HttpServer::Start(o, Echo).status();
  };
  auto s = try_start(garbage, good.key_file);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(garbage), absl::string_view::npos) << s;

  s = try_start(good.cert_file, dir.Sub("missing.key"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(dir.Sub("missing.key")), absl::string_view::npos) << s;

  s = try_start(good.cert_file, garbage);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(garbage), absl::string_view::npos) << s;

  s = try_start(good.cert_file, other.key_file);  // A key that is not the certificate's.
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(other.key_file), absl::string_view::npos) << s;

  s = try_start(good.cert_file, "");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpServer, StartReportsBadAddresses) {
  auto first = MustStart(TestOptions());
  ASSERT_TRUE(first);
  ServerOptions same = TestOptions();
  same.port = first->port();
  auto s = HttpServer::Start(same, Echo).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("in use"), absl::string_view::npos) << s;

  ServerOptions bad_host = TestOptions();
  bad_host.host = "not an address";
  EXPECT_EQ(HttpServer::Start(bad_host, Echo).status().code(), absl::StatusCode::kInvalidArgument);
  bad_host.host = "192.0.2.1";  // TEST-NET-1: not an address of this machine.
  EXPECT_EQ(HttpServer::Start(bad_host, Echo).status().code(), absl::StatusCode::kInvalidArgument);

  ServerOptions v6 = TestOptions();  // Brackets and "localhost" are accepted.
  v6.host = "localhost";
  EXPECT_TRUE(HttpServer::Start(v6, Echo).ok());
}

TEST(HttpServer, GracefulShutdownFinishesTheResponseInFlight) {
  std::promise<void> started;
  std::atomic<bool> started_once{false};
  const std::string big(200000, 'b');
  auto server = MustStart(TestOptions(), [&](const Request& req) {
    if (req.path == "/slow") {
      if (!started_once.exchange(true)) started.set_value();
      std::this_thread::sleep_for(milliseconds(500));
      return Response{200, {{"Content-Type", "text/plain"}}, big};
    }
    return Echo(req);
  });
  ASSERT_TRUE(server);
  uint16_t port = server->port();

  RawClient idle(port);  // Keep-alive, between requests.
  ASSERT_TRUE(idle.RoundTrip(Get("/idle")));
  RawClient busy(port);
  ASSERT_TRUE(busy.Send(Get("/slow")));
  started.get_future().wait();

  auto start = SteadyClock::now();
  std::thread waiter([&] { server->Wait(); });
  std::thread stopper([&] { server->Shutdown(absl::Seconds(5)); });

  EXPECT_TRUE(idle.WaitClosed(milliseconds(400)));  // Closed at once, not after the slow request.
  auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), big.size());
  EXPECT_EQ(r->body, big);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(busy.WaitClosed());

  stopper.join();
  waiter.join();
  EXPECT_GE(Since(start).count(), 300);  // It waited for the handler.
  RawClient late(port);
  EXPECT_FALSE(late.connected());
  EXPECT_EQ(late.connect_errno(), ECONNREFUSED);
  server->Shutdown();  // Again: a no-op.
  server->Wait();
}

TEST(HttpServer, ShutdownDeadlineClosesConnectionsStillBusy) {
  auto server = MustStart(TestOptions());  // header_timeout: 10 s.
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: a\r\n"));  // A head that never ends.
  std::this_thread::sleep_for(milliseconds(100));
  auto start = SteadyClock::now();
  server->Shutdown(absl::Milliseconds(300));
  EXPECT_GE(Since(start).count(), 250);
  EXPECT_LT(Since(start).count(), 2000);
  EXPECT_TRUE(c.WaitClosed(milliseconds(500)));
}

TEST(HttpServer, ShutdownFromAHandlerDoesNotDeadlock) {
  HttpServer* self = nullptr;
  std::atomic<bool> ready{false};
  auto server = MustStart(TestOptions(), [&](const Request& req) {
    if (req.path == "/quit" && ready) self->Shutdown();
    return Echo(req);
  });
  ASSERT_TRUE(server);
  self = server.get();
  ready = true;
  RawClient c(server->port());
  auto r = c.RoundTrip(Get("/quit"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto done = std::async(std::launch::async, [&] { server->Wait(); });
  EXPECT_EQ(done.wait_for(std::chrono::seconds(3)), std::future_status::ready);
}

}  // namespace
}  // namespace aisafe::server
