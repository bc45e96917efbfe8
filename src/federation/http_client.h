// The blocking HTTP/1.1 client a node pulls its peers with: one peer, one
// connection (plain or TLS), kept alive between requests.
//
// Promises:
// - Send() returns within options.request_timeout, whatever the peer or the
//   DNS resolver does (a lookup runs on a thread of its own that is left to
//   finish by itself when it takes too long).
// - A request is sent at most twice, and twice only when it cannot have been
//   acted on: the first try went out on a reused keep-alive connection and
//   that connection failed before any byte of a response came back (the peer
//   closed it while it was idle; curl retries the same case). A failure on a
//   fresh connection, a timeout, or a failure after response bytes arrived is
//   returned, never retried. An idle connection the peer has already closed
//   is noticed before sending and replaced without counting as a retry.
// - HTTPS verifies the peer's certificate chain against options.ca_file (or
//   the system's CA paths) and the URL's host against the certificate's
//   names (DNS names, or IP addresses for IP literals); SNI carries the host
//   name (not for IP literals: RFC 6066 forbids them there). TLS 1.2+.
// - Responses are read whole: Content-Length, chunked, or until the
//   connection closes; 1xx interim responses are skipped.
//
// Errors (the message names the peer as host:port and the cause):
// - InvalidArgument: a bad Url or request (method not a token, target not
//   starting with '/' or '?', a header name that is not a token, CR/LF/NUL in
//   a header value or the target, a header the client sets itself), or a
//   ca_file that cannot be loaded. Nothing is sent.
// - Unavailable: resolving, connecting, reading or writing failed, or the
//   peer's response was malformed.
// - DeadlineExceeded: connect_timeout or request_timeout passed.
// - ResourceExhausted: the response body is larger than max_body_bytes (or
//   its head larger than 64 KiB).
// - FailedPrecondition: the peer's certificate did not verify (OpenSSL's
//   reason, e.g. "unable to get local issuer certificate", "IP address
//   mismatch").
// After any error the connection is closed; the next Send() opens a new one.
//
// Thread-safety: none. One HttpClient per puller thread; distinct clients are
// independent. Built on Boost.Beast/Asio and OpenSSL, kept out of this header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace aisafe::federation {

struct Url {
  bool tls = false;
  std::string host;       // Lowercase name or IP literal, without brackets for IPv6 ("::1").
  uint16_t port = 0;      // Always set by ParseUrl (80 or 443 when the text has none).
  std::string base_path;  // "" or "/prefix" without a trailing '/'; prepended to every request target.

  // "https://host[:port]/prefix" (IPv6 in brackets; the port only when it is
  // not the scheme's default). ParseUrl(ToString()) gives this Url back.
  std::string ToString() const;
};

// Parses "http://host[:port][/prefix]" or "https://...": the scheme
// case-insensitively, the host as a DNS name (letters, digits, '-', '_', '.';
// lowercased), an IPv4 literal or an IPv6 literal in brackets, the port as
// 1..65535. Trailing '/' of the path are dropped. InvalidArgument naming what
// is wrong: the scheme, the host, the port, or userinfo, a query or a
// fragment (none is allowed).
absl::StatusOr<Url> ParseUrl(std::string_view text);

struct ClientRequest {
  std::string method = "GET";
  // Path and query ("/v1/records?after=3"), appended to the Url's base_path;
  // "" means the base path itself ("/" without one). Sent as given: the
  // caller percent-encodes.
  std::string target;
  // Sent in order. Host, Content-Length, Transfer-Encoding and Connection are
  // the client's own (InvalidArgument if given); a User-Agent here replaces
  // options.user_agent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // Sent with Content-Length when non-empty, and always for POST, PUT and PATCH.
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // Names lowercased, in order.
  std::string body;                                          // Empty for HEAD, 204 and 304.

  // The first header named `name` (compared case-insensitively), or nullopt.
  // The view points into `headers`.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct ClientOptions {
  // Resolving, the TCP connect and the TLS handshake must finish within
  // this (and within request_timeout). Default: 10 s.
  absl::Duration connect_timeout = absl::Seconds(10);
  // The whole of one Send(): connecting when needed, writing the request and
  // reading the whole response, a retry included. A deadline, not an
  // inactivity timer, so a peer trickling bytes is still cut off. Default: 60 s.
  absl::Duration request_timeout = absl::Seconds(60);
  // Larger response bodies (after chunked decoding) are ResourceExhausted;
  // checked from Content-Length before the body is read. Default: 256 MiB.
  size_t max_body_bytes = 256 << 20;
  // PEM file of the CAs trusted for HTTPS; empty: the system's default paths.
  std::string ca_file;
  // False skips certificate and host name checks (tests, pinned-by-other-means
  // setups only). Default: true.
  bool verify_tls = true;
  std::string user_agent = "aisafe";
};

// Counters over the client's life, for metrics and tests.
struct ClientStats {
  uint64_t connections_opened = 0;  // TCP connections established (TLS handshake or not).
  uint64_t requests_sent = 0;       // Requests written completely or in part, retries included.
  uint64_t retries = 0;             // Requests sent again after a reused connection failed.
};

// One peer connection, kept alive between requests and reopened when the
// peer closed it (see the top of this file for when a request is retried).
class HttpClient {
 public:
  HttpClient(Url url, ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and reads the whole response. Any HTTP status is a
  // response, not an error; errors are as listed at the top of this file.
  absl::StatusOr<ClientResponse> Send(const ClientRequest& request);

  // Closes the connection if one is open; the next Send() opens a new one.
  void Close();

  const Url& url() const;  // NOLINT(readability-identifier-naming): accessor.
  ClientStats Stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace aisafe::federation
