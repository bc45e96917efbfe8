// The node's HTTP/1.1 server core: listener, connections, limits, timeouts,
// TLS and graceful shutdown (docs/http-server.md). It knows nothing of
// routes: one Handler gets every complete, well-formed request and returns
// the whole response. The core answers by itself only what never reaches
// the Handler (400, 408, 413, 431, 503, and 500 when the Handler throws),
// as RFC 9457 problem details.
//
// Built on Boost.Beast/Asio, kept out of this header: one io_context run by
// `threads` threads, each connection on its own strand, so a connection's
// steps never run concurrently while different connections run in parallel.
// The Handler runs on the connection's thread and may block (it does SQLite
// I/O); a blocked Handler holds one thread, so `threads` also bounds how many
// requests are handled at once.
//
// Thread-safety: every public method may be called from any thread except
// Shutdown() and the destructor, which must not be called from inside the
// Handler or the observer (they wait for the server's threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace aisafe::server {

struct Request {
  std::string method;                                        // "GET", ...
  std::string target;                                        // As sent: "/v1/records?type=incident".
  std::string path;                                          // Percent-decoded path without the query: "/v1/records".
  std::string query;                                         // Raw query string without '?'; "" if none.
  std::vector<std::pair<std::string, std::string>> headers;  // Names lowercased, in order.
  std::string body;
  std::string remote_address;  // Peer IP as text ("127.0.0.1", "::1").
  bool tls = false;

  // The first header named `name` (compared case-insensitively), or nullopt.
  // The view points into `headers`.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct Response {
  int status = 200;  // 200..599; anything else becomes a 500.
  // Content-Length, Transfer-Encoding and Connection are set by the server
  // (a Handler's own are dropped). A header with CR, LF or NUL in it, or an
  // invalid name, turns the response into a 500.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Called for every complete, well-formed request on one of the server's
// threads; may block. Should not throw: an exception becomes a 500.
using Handler = std::function<Response(const Request&)>;

// One finished exchange: a response was written (or its write failed), also
// for the responses the core makes itself. For access logs and metrics.
struct Exchange {
  std::string method;  // "" when the request head was never parsed (400, 408, 431, 503).
  std::string target;
  int status = 0;
  absl::Duration duration;  // From the request's first byte (or the accept) to the end of the write.
  std::string remote_address;
  size_t response_bytes = 0;  // Bytes written, head and body.
};

// Called once per Exchange on the connection's thread; must be quick and
// thread-safe. Exceptions are swallowed.
using ExchangeObserver = std::function<void(const Exchange&)>;

struct ServerOptions {
  // An IP address ("127.0.0.1", "::1", "0.0.0.0", "::") or a name that
  // resolves locally ("localhost"). Default: "127.0.0.1".
  std::string host = "127.0.0.1";
  // 0 = pick a free port (see HttpServer::port()). Default: 0.
  uint16_t port = 0;
  // Threads running the connections and the Handler; 0 = the cores.
  int threads = 0;
  // Larger bodies are answered 413 and the connection is closed: checked
  // from Content-Length before the body is read, and while reading chunked
  // bodies. Default: 8 MiB.
  size_t max_body_bytes = 8 << 20;
  // Larger request heads (request line and header fields) are answered 431
  // and the connection is closed. Default: 16 KiB.
  size_t max_header_bytes = 16 << 10;
  // The whole request head must arrive within this, counted from its first
  // byte (from the end of the TLS handshake for a connection's first
  // request): a deadline, not an inactivity timer, so a client trickling a
  // byte a second is still cut off. Also bounds the TLS handshake. 408 then
  // close. Default: 10 s.
  absl::Duration header_timeout = absl::Seconds(10);
  // The whole body must arrive within this after the head. 408 then close.
  // Default: 60 s.
  absl::Duration body_timeout = absl::Seconds(60);
  // How long a keep-alive connection may wait for its next request before it
  // is closed (silently). Default: 30 s.
  absl::Duration idle_timeout = absl::Seconds(30);
  // Each response must be written within this, or the connection is closed.
  // Default: 30 s.
  absl::Duration write_timeout = absl::Seconds(30);
  // Open connections allowed; one beyond is accepted, answered 503 and
  // closed. Default: 4096.
  size_t max_connections = 4096;
  // PEM files. Both set = this listener speaks HTTPS only (TLS 1.2+); both
  // empty = plain HTTP. Default: empty.
  std::string tls_cert_file;  // The certificate chain, leaf first.
  std::string tls_key_file;
  ExchangeObserver observer;  // Optional.
};

class HttpServer {
 public:
  // Binds, listens and starts the threads. InvalidArgument for bad options,
  // a host that is not an address of this machine, or TLS files that do not
  // load (the message names the file); Unavailable if the address is in use;
  // PermissionDenied if binding the port is not allowed.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(ServerOptions options, Handler handler);

  ~HttpServer();  // Shutdown(), then join.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port listened on (the chosen one when options.port was 0).
  uint16_t port() const;  // NOLINT(readability-identifier-naming): the agreed API name.

  // Graceful: stops accepting (new connections are refused); closes idle
  // keep-alive connections; lets requests being read or handled finish and
  // their responses be written completely, with "Connection: close"; then
  // stops the threads. Connections still busy after `deadline` are closed.
  // Safe to call from any thread but the server's own, more than once and
  // concurrently; every call blocks until all threads have stopped.
  void Shutdown(absl::Duration deadline = absl::Seconds(30));

  // Blocks until Shutdown() has completed (for a serve loop).
  void Wait();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aisafe::server
