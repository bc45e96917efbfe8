#include "federation/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "util/strings.h"

namespace aisafe::federation {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// The largest response head (status line and header fields) accepted.
constexpr size_t kMaxHeaderBytes = 64 << 10;
// Bytes asked for by the first read of a response.
constexpr size_t kReadChunk = 16 << 10;
// Durations beyond this count as "never" (keeps time_point arithmetic finite).
constexpr absl::Duration kForever = absl::Hours(24 * 365 * 10);

SteadyClock::time_point After(absl::Duration d) {
  return SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                  absl::ToChronoNanoseconds(std::clamp(d, absl::ZeroDuration(), kForever)));
}

int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

std::string ToString(beast::string_view s) { return std::string(s.data(), s.size()); }

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return LowerAscii(x) == LowerAscii(y); });
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 9110 tchar.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c) && !IsAlpha(c) && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool IsFieldValue(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Printable ASCII without space: what a request target may hold on the wire.
bool IsTargetText(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// RFC 3986 path characters (pchar and '/'), percent-escapes well formed.
bool IsPath(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (!IsDigit(c) && !IsAlpha(c) && std::string_view("-._~!$&'()*+,;=:@/").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// A DNS name as a URL host: labels of letters, digits, '-' and '_', none
// empty. All-numeric names must be IPv4 addresses.
bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  bool numeric = true;
  size_t label = 0;
  for (char c : s) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!IsDigit(c) && !IsAlpha(c) && c != '-' && c != '_') return false;
    if (!IsDigit(c)) numeric = false;
    if (++label > 63) return false;
  }
  if (label == 0) return false;
  if (numeric) {
    in_addr a;
    return ::inet_pton(AF_INET, std::string(s).c_str(), &a) == 1;
  }
  return true;
}

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

uint16_t DefaultPort(bool tls) { return tls ? 443 : 80; }

// "host:port", IPv6 in brackets: how errors name the peer.
std::string HostPort(const std::string& host, uint16_t port) {
  return host.find(':') != std::string::npos ? util::StrCat("[", host, "]:", port) : util::StrCat(host, ":", port);
}

std::string OpenSslReason(const beast::error_code& ec) {
  std::string m = ec.message();
  ::ERR_clear_error();
  return m;
}

// getaddrinfo on its own thread, so connect_timeout bounds a hanging DNS
// lookup too (curl's threaded resolver does the same): on timeout the thread
// is left to finish by itself and its result is dropped.
struct Resolution {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  std::vector<tcp::endpoint> endpoints;
};

std::shared_ptr<Resolution> StartResolve(const std::string& host, uint16_t port) {
  auto r = std::make_shared<Resolution>();
  std::thread([r, host, service = std::to_string(port)] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    std::vector<tcp::endpoint> endpoints;
    for (addrinfo* a = list; rc == 0 && a != nullptr; a = a->ai_next) {
      if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) || a->ai_addrlen > sizeof(sockaddr_in6)) continue;
      tcp::endpoint e;
      std::memcpy(e.data(), a->ai_addr, a->ai_addrlen);
      endpoints.push_back(e);
    }
    if (list != nullptr) ::freeaddrinfo(list);
    std::lock_guard<std::mutex> lock(r->mu);
    r->rc = rc;
    r->endpoints = std::move(endpoints);
    r->done = true;
    r->cv.notify_all();
  }).detach();
  return r;
}

}  // namespace

std::string Url::ToString() const {
  std::string out = tls ? "https://" : "http://";
  out += host.find(':') != std::string::npos ? util::StrCat("[", host, "]") : host;
  if (port != DefaultPort(tls)) util::StrAppend(&out, ":", port);
  out += base_path;
  return out;
}

absl::StatusOr<Url> ParseUrl(std::string_view text) {
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(util::StrCat("URL \"", text, "\": ", what));
  };
  Url url;
  std::string_view rest = text;
  size_t scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos) return bad("scheme missing (expected http:// or https://)");
  std::string_view scheme = rest.substr(0, scheme_end);
  if (EqualsIgnoreCase(scheme, "https")) {
    url.tls = true;
  } else if (!EqualsIgnoreCase(scheme, "http")) {
    return bad("scheme must be http or https");
  }
  rest.remove_prefix(scheme_end + 3);

  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    // Not echoed: it may hold a password.
    return absl::InvalidArgumentError("URL: userinfo (user:password@) is not allowed; use headers for credentials");
  }

  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("IPv6 host not closed with ']'");
    std::string literal(authority.substr(1, close - 1));
    in6_addr a;
    if (::inet_pton(AF_INET6, literal.c_str(), &a) != 1) return bad("host is not a valid IPv6 address");
    url.host = Lower(literal);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the IPv6 host");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (host.empty()) return bad("host missing");
    if (!IsHostName(host)) return bad("host is not a valid DNS name or IPv4 address (IPv6 needs brackets)");
    url.host = Lower(host);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), IsDigit)) {
      return bad("port must be a number from 1 to 65535");
    }
    int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return bad("port must be a number from 1 to 65535");
    url.port = static_cast<uint16_t>(port);
  } else {
    url.port = DefaultPort(url.tls);
  }

  if (path.find('?') != std::string_view::npos) return bad("a query is not allowed");
  if (path.find('#') != std::string_view::npos) return bad("a fragment is not allowed");
  if (!IsPath(path)) return bad("path has characters that must be percent-encoded");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

std::optional<std::string_view> ClientResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

struct HttpClient::Impl {
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;
  using Message = http::request<http::string_body>;

  Impl(Url u, ClientOptions o) : url(std::move(u)), options(std::move(o)), where(HostPort(url.host, url.port)) {
    // A Url need not come from ParseUrl; its parts go into the Host header
    // and the request line, so they are held to what ParseUrl accepts.
    in6_addr v6;
    bool host_ok = IsHostName(url.host) || ::inet_pton(AF_INET6, url.host.c_str(), &v6) == 1;
    bool path_ok = url.base_path.empty() || (url.base_path.front() == '/' && IsPath(url.base_path));
    if (!host_ok || url.port == 0 || !path_ok) {
      init_status = absl::InvalidArgumentError(
          util::StrCat("HTTP client: URL \"", url.ToString(), "\" needs a valid host, a port and a path"));
      return;
    }
    if (url.tls) init_status = SetUpTls();
  }

  absl::Status SetUpTls() {
    tls_context.emplace(ssl::context::tls_client);
    ::SSL_CTX_set_min_proto_version(tls_context->native_handle(), TLS1_2_VERSION);
    tls_context->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    if (!options.verify_tls) {
      tls_context->set_verify_mode(ssl::verify_none);
      return absl::OkStatus();
    }
    beast::error_code ec;
    if (options.ca_file.empty()) {
      tls_context->set_default_verify_paths(ec);
      if (ec) return absl::InvalidArgumentError(util::StrCat("HTTP client: system CA paths: ", OpenSslReason(ec)));
    } else {
      tls_context->load_verify_file(options.ca_file, ec);
      if (ec) {
        return absl::InvalidArgumentError(
            util::StrCat("HTTP client: CA file ", options.ca_file, " does not load: ", OpenSslReason(ec)));
      }
    }
    tls_context->set_verify_mode(ssl::verify_peer);
    return absl::OkStatus();
  }

  bool IsOpen() const { return plain.has_value() || secure.has_value(); }

  beast::tcp_stream& Tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Runs the asynchronous operation just started to completion (and the
  // stream's timer handlers with it): the client is blocking, Asio's async
  // operations are only how deadlines are kept.
  void Run() {
    ioc.restart();
    ioc.run();
  }

  void Close() {
    if (IsOpen()) {
      beast::error_code ignored;
      Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      Tcp().close();
      Run();  // Lets cancelled timer handlers finish while the stream exists.
    }
    secure.reset();
    plain.reset();
    buffer.clear();
  }

  // An idle connection is fit for reuse only if nothing is waiting on it: a
  // readable socket means the peer closed it (EOF), reset it, or sent bytes
  // no request asked for; buffered leftovers mean the same.
  bool IdleConnectionIsDead() {
    if (buffer.size() > 0) return true;
    pollfd p{Tcp().socket().native_handle(), POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
  }

  absl::Status TimeoutError(bool connecting) const {
    if (connecting) {
      return absl::DeadlineExceededError(
          util::StrCat("connecting to ", where, " took longer than ", Millis(options.connect_timeout), " ms"));
    }
    return absl::DeadlineExceededError(
        util::StrCat("no complete response from ", where, " within ", Millis(options.request_timeout), " ms"));
  }

  absl::StatusOr<std::vector<tcp::endpoint>> Resolve(SteadyClock::time_point deadline, bool connect_bound) {
    beast::error_code ec;
    net::ip::address address = net::ip::make_address(url.host, ec);
    if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(address, url.port)};
    auto r = StartResolve(url.host, url.port);
    std::unique_lock<std::mutex> lock(r->mu);
    if (!r->cv.wait_until(lock, deadline, [&] { return r->done; })) {
      return absl::DeadlineExceededError(
          util::StrCat("resolving ", where, " took longer than ",
                       Millis(connect_bound ? options.connect_timeout : options.request_timeout), " ms"));
    }
    if (r->rc != 0) {
      return absl::UnavailableError(util::StrCat("cannot resolve ", where, ": ", ::gai_strerror(r->rc)));
    }
    if (r->endpoints.empty()) return absl::UnavailableError(util::StrCat("cannot resolve ", where, ": no address"));
    return std::move(r->endpoints);
  }

  absl::Status Connect(SteadyClock::time_point request_deadline) {
    SteadyClock::time_point limit = After(options.connect_timeout);
    bool connect_bound = limit < request_deadline;
    SteadyClock::time_point deadline = std::min(limit, request_deadline);
    auto timeout = [&] { return TimeoutError(connect_bound); };

    auto endpoints = Resolve(deadline, connect_bound);
    if (!endpoints.ok()) return endpoints.status();

    if (url.tls) {
      secure.emplace(ioc, *tls_context);
    } else {
      plain.emplace(ioc);
    }
    beast::error_code ec;
    Tcp().expires_at(deadline);
    Tcp().async_connect(*endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    Run();
    if (ec == beast::error::timeout) return timeout();
    if (ec) return absl::UnavailableError(util::StrCat("cannot connect to ", where, ": ", ec.message()));
    ++stats.connections_opened;
    beast::error_code ignored;
    Tcp().socket().set_option(tcp::no_delay(true), ignored);
    if (!secure) return absl::OkStatus();

    SSL* handle = secure->native_handle();
    bool ip_literal = IsIpLiteral(url.host);
    // RFC 6066: SNI carries DNS names only.
    if (!ip_literal && ::SSL_set_tlsext_host_name(handle, url.host.c_str()) != 1) {
      ::ERR_clear_error();
      return absl::InternalError(util::StrCat("TLS: cannot set the server name ", url.host));
    }
    if (options.verify_tls) {
      // OpenSSL checks the name during the handshake and reports a mismatch
      // as the verify result, with its own reason text.
      int ok = ip_literal ? ::X509_VERIFY_PARAM_set1_ip_asc(::SSL_get0_param(handle), url.host.c_str())
                          : ::SSL_set1_host(handle, url.host.c_str());
      if (ok != 1) {
        ::ERR_clear_error();
        return absl::InternalError(util::StrCat("TLS: cannot set the expected host ", url.host));
      }
      ::SSL_set_hostflags(handle, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    secure->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    Run();
    if (!ec) return absl::OkStatus();
    long verify = ::SSL_get_verify_result(handle);
    if (options.verify_tls && verify != X509_V_OK) {
      ::ERR_clear_error();
      return absl::FailedPreconditionError(
          util::StrCat("TLS certificate of ", where, " not accepted: ", ::X509_verify_cert_error_string(verify)));
    }
    if (ec == beast::error::timeout) return timeout();
    return absl::UnavailableError(util::StrCat("TLS handshake with ", where, " failed: ", OpenSslReason(ec)));
  }

  template <typename F>
  void WithStream(F&& f) {
    if (secure) {
      f(*secure);
    } else {
      f(*plain);
    }
  }

  absl::Status ReadError(const beast::error_code& ec) const {
    if (ec == beast::error::timeout) return TimeoutError(false);
    if (ec == http::error::body_limit) {
      return absl::ResourceExhaustedError(
          util::StrCat("response body from ", where, " larger than ", options.max_body_bytes, " bytes"));
    }
    if (ec == http::error::header_limit) {
      return absl::ResourceExhaustedError(
          util::StrCat("response head from ", where, " larger than ", kMaxHeaderBytes, " bytes"));
    }
    if (ec == http::error::partial_message || ec == http::error::end_of_stream) {
      return absl::UnavailableError(util::StrCat(where, " closed the connection in the middle of the response"));
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      return absl::UnavailableError(util::StrCat("malformed response from ", where, ": ", ec.message()));
    }
    return absl::UnavailableError(util::StrCat("reading the response from ", where, " failed: ", OpenSslReason(ec)));
  }

  // One request and its response on the open connection. `*retryable` tells
  // whether the failure came before any byte of a response (and not from the
  // deadline), the only case in which the request may be sent again.
  absl::StatusOr<ClientResponse> Exchange(const Message& request, bool head, SteadyClock::time_point deadline,
                                          bool* retryable) {
    *retryable = false;
    beast::error_code ec;
    size_t n = 0;
    Tcp().expires_at(deadline);
    ++stats.requests_sent;
    WithStream([&](auto& stream) { http::async_write(stream, request, [&](beast::error_code e, size_t) { ec = e; }); });
    Run();
    if (ec == beast::error::timeout) return TimeoutError(false);
    if (ec) {
      *retryable = true;
      return absl::UnavailableError(util::StrCat("sending the request to ", where, " failed: ", OpenSslReason(ec)));
    }

    // The first bytes are read apart so that "nothing came back" can be told
    // from a response cut short.
    WithStream([&](auto& stream) {
      stream.async_read_some(buffer.prepare(kReadChunk), [&](beast::error_code e, size_t got) {
        ec = e;
        n = got;
      });
    });
    Run();
    buffer.commit(n);
    if (ec == beast::error::timeout) return TimeoutError(false);
    if (ec && buffer.size() == 0) {
      *retryable = true;
      if (ec == net::error::eof || ec == ssl::error::stream_truncated) {
        return absl::UnavailableError(util::StrCat(where, " closed the connection without responding"));
      }
      return absl::UnavailableError(util::StrCat("reading the response from ", where, " failed: ", OpenSslReason(ec)));
    }

    for (;;) {
      std::optional<http::response_parser<http::string_body>> parser;
      parser.emplace();
      parser->header_limit(static_cast<uint32_t>(kMaxHeaderBytes));
      parser->body_limit(static_cast<uint64_t>(options.max_body_bytes));
      if (head) parser->skip(true);
      // The head first, on its own: Beast 1.74 parsing eagerly loses the
      // body_limit error of a Content-Length checked at the end of the head
      // when the body arrived in the same buffer, and reads the body anyway.
      WithStream([&](auto& stream) {
        http::async_read_header(stream, buffer, *parser, [&](beast::error_code e, size_t) { ec = e; });
      });
      Run();
      if (!ec && !parser->is_done()) {
        WithStream([&](auto& stream) {
          http::async_read(stream, buffer, *parser, [&](beast::error_code e, size_t) { ec = e; });
        });
        Run();
      }
      if (ec) return ReadError(ec);
      auto& msg = parser->get();
      if (msg.body().size() > options.max_body_bytes) return ReadError(http::error::body_limit);
      int status = static_cast<int>(msg.result_int());
      if (status == 101) {
        return absl::UnavailableError(util::StrCat(where, " switched protocols (101), which was not asked for"));
      }
      if (status >= 100 && status < 200) continue;  // Interim (103 Early Hints, a stray 100): the real one follows.

      ClientResponse response;
      response.status = status;
      response.headers.reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
      for (const auto& field : msg)
        response.headers.emplace_back(Lower(ToString(field.name_string())), ToString(field.value()));
      response.body = std::move(msg.body());
      keep_alive = msg.keep_alive() && !parser->need_eof();
      return response;
    }
  }

  absl::StatusOr<Message> BuildRequest(const ClientRequest& request) const {
    if (!IsToken(request.method)) {
      return absl::InvalidArgumentError(util::StrCat("HTTP client: method \"", request.method, "\" is not a token"));
    }
    const std::string& t = request.target;
    if (!t.empty() && t.front() != '/' && t.front() != '?') {
      return absl::InvalidArgumentError("HTTP client: request target must start with '/' or '?'");
    }
    if (!IsTargetText(t)) {
      return absl::InvalidArgumentError(
          "HTTP client: request target has a space, control or non-ASCII character (percent-encode it)");
    }
    std::string target = url.base_path + t;
    if (target.empty() || target.front() == '?') target.insert(0, "/");

    Message req;
    req.version(11);
    http::verb verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
      req.method_string(request.method);
    } else {
      req.method(verb);
    }
    req.target(target);
    std::string host = url.host.find(':') != std::string::npos ? util::StrCat("[", url.host, "]") : url.host;
    if (url.port != DefaultPort(url.tls)) util::StrAppend(&host, ":", url.port);
    req.set(http::field::host, host);
    bool has_user_agent = false;
    for (const auto& [name, value] : request.headers) {
      if (!IsToken(name)) {
        return absl::InvalidArgumentError(util::StrCat("HTTP client: header name \"", name, "\" is not a token"));
      }
      if (!IsFieldValue(value)) {
        return absl::InvalidArgumentError(
            util::StrCat("HTTP client: header ", name, " has CR, LF or NUL in its value"));
      }
      for (std::string_view own : {"host", "content-length", "transfer-encoding", "connection"}) {
        if (EqualsIgnoreCase(name, own)) {
          return absl::InvalidArgumentError(util::StrCat("HTTP client: header ", name, " is set by the client"));
        }
      }
      if (EqualsIgnoreCase(name, "user-agent")) has_user_agent = true;
    }
    if (!has_user_agent && !options.user_agent.empty()) {
      if (!IsFieldValue(options.user_agent)) {
        return absl::InvalidArgumentError("HTTP client: user_agent has CR, LF or NUL");
      }
      req.set(http::field::user_agent, options.user_agent);
    }
    for (const auto& [name, value] : request.headers) req.insert(name, value);
    if (!request.body.empty() || verb == http::verb::post || verb == http::verb::put || verb == http::verb::patch) {
      req.content_length(request.body.size());
      req.body() = request.body;
    }
    return req;
  }

  absl::StatusOr<ClientResponse> Send(const ClientRequest& request) {
    if (!init_status.ok()) return init_status;
    auto message = BuildRequest(request);
    if (!message.ok()) return message.status();
    bool head = message->method() == http::verb::head;
    SteadyClock::time_point deadline = After(options.request_timeout);
    for (int attempt = 0;; ++attempt) {
      bool reused = IsOpen();
      if (reused && IdleConnectionIsDead()) {
        Close();
        reused = false;
      }
      if (!IsOpen()) {
        absl::Status connected = Connect(deadline);
        if (!connected.ok()) {
          Close();
          return connected;
        }
      }
      bool retryable = false;
      auto response = Exchange(*message, head, deadline, &retryable);
      if (response.ok()) {
        if (!keep_alive) Close();
        return response;
      }
      Close();
      if (!reused || !retryable || attempt > 0) return response.status();
      ++stats.retries;
    }
  }

  const Url url;
  const ClientOptions options;
  const std::string where;  // "host:port" for messages.
  absl::Status init_status;
  ClientStats stats;

  // Declared before the streams, which hold references into them, so destroyed after them.
  net::io_context ioc{1};
  std::optional<ssl::context> tls_context;
  std::optional<beast::tcp_stream> plain;
  std::optional<TlsStream> secure;
  beast::flat_buffer buffer;
  bool keep_alive = false;
};

HttpClient::HttpClient(Url url, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(url), std::move(options))) {}

HttpClient::~HttpClient() { Close(); }

absl::StatusOr<ClientResponse> HttpClient::Send(const ClientRequest& request) {
  try {
    return impl_->Send(request);
  } catch (const std::exception& e) {
    // Out of memory for a body, or a thread that cannot start.
    impl_->Close();
    return absl::UnavailableError(util::StrCat("HTTP client (", impl_->where, "): ", e.what()));
  }
}

void HttpClient::Close() {
  try {
    impl_->Close();
  } catch (...) {
    // Closing cannot fail in a way the caller could act on.
  }
}

const Url& HttpClient::url() const { return impl_->url; }

ClientStats HttpClient::Stats() const { return impl_->stats; }

}  // namespace aisafe::federation
