#include "server/http_server.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <future>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "absl/status/status.h"
#include "util/file.h"
#include "util/strings.h"

namespace aisafe::server {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// Bytes asked for when waiting for a request's first bytes.
constexpr size_t kReadChunk = 4096;
// After a response that closes the connection, the server stops sending
// (FIN) and reads and drops what the client still sends until the client
// closes too, for up to kLinger when input is known to be left unread (a
// refused body, buffered pipelined requests) and kCloseWait otherwise. Closing
// with unread input would make the kernel answer with a reset that can
// destroy the response before the client reads it (RFC 9112 section 9.6).
constexpr std::chrono::milliseconds kLinger{1000};
constexpr std::chrono::milliseconds kCloseWait{100};
constexpr size_t kMaxLingerBytes = 1 << 20;
// Connections beyond max_connections being answered 503 at once; past this
// many more they are closed unanswered, so a flood cannot hold descriptors.
constexpr size_t kMaxRejecting = 64;
// Pause before accepting again after accept failed (e.g. out of descriptors).
constexpr std::chrono::milliseconds kAcceptRetry{100};
// Durations beyond this count as "never" (keeps time_point arithmetic finite).
constexpr absl::Duration kForever = absl::Hours(24 * 365 * 10);

std::chrono::nanoseconds ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(std::clamp(d, absl::ZeroDuration(), kForever));
}

SteadyClock::time_point After(absl::Duration d) {
  return SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(ToChrono(d));
}

int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

std::string ToString(beast::string_view s) { return std::string(s.data(), s.size()); }

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(beast::string_view s) {
  std::string out(s.data(), s.size());
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return LowerAscii(x) == LowerAscii(y); });
}

// RFC 9110 tchar.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsFieldValue(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a path. False on a malformed escape or an encoded NUL.
bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// Splits a request target into its decoded path and raw query. Accepts the
// origin form ("/a?b"), the absolute form ("http://host/a?b", whose path is
// "/a") and "*" (OPTIONS). Returns a reason on failure.
std::optional<std::string> SplitTarget(std::string_view target, std::string* path, std::string* query) {
  if (target == "*") {
    *path = "*";
    query->clear();
    return std::nullopt;
  }
  std::string_view rest = target;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (rest.size() >= scheme.size() && EqualsIgnoreCase(rest.substr(0, scheme.size()), scheme)) {
      rest.remove_prefix(scheme.size());
      size_t end = rest.find_first_of("/?");
      rest = end == std::string_view::npos ? std::string_view("/") : rest.substr(end);
      break;
    }
  }
  if (rest.empty() || (rest[0] != '/' && rest[0] != '?')) return "request target must start with '/'";
  size_t q = rest.find('?');
  std::string_view raw_path = rest.substr(0, q);
  *query = q == std::string_view::npos ? "" : std::string(rest.substr(q + 1));
  if (raw_path.empty()) raw_path = "/";
  if (!PercentDecode(raw_path, path)) return "malformed percent-encoding in the request path";
  return std::nullopt;
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string ReasonPhrase(int status) {
  auto s = http::int_to_status(static_cast<unsigned>(status));
  return s == http::status::unknown ? "Unknown" : ToString(http::obsolete_reason(s));
}

// An RFC 9457 problem document for a response the core makes itself.
Response Problem(int status, std::string_view detail) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/problem+json");
  r.body = R"({"type":"about:blank","title":)";
  AppendJsonString(&r.body, ReasonPhrase(status));
  util::StrAppend(&r.body, ",\"status\":", status, ",\"detail\":");
  AppendJsonString(&r.body, detail);
  r.body.push_back('}');
  return r;
}

// IMF-fixdate (RFC 9110 section 5.6.7), independent of the locale.
std::string HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t now = ::time(nullptr);
  struct tm tm {};
  ::gmtime_r(&now, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string AddressText(const tcp::endpoint& endpoint) {
  net::ip::address a = endpoint.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6());
  return a.to_string();
}

// The listen address: an IP literal (IPv6 optionally in brackets) or
// "localhost". No DNS: a server must not hang at start on a resolver.
absl::StatusOr<tcp::endpoint> ListenEndpoint(const std::string& host, uint16_t port) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost") h = "127.0.0.1";
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(h, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        util::StrCat("listen host \"", host, "\" is not an IP address (or \"localhost\")"));
  }
  return tcp::endpoint(address, port);
}

std::string OpenSslReason(const beast::error_code& ec) {
  std::string m = ec.message();
  ::ERR_clear_error();
  return m;
}

// TLS 1.2+ with the certificate chain and private key from PEM files.
absl::StatusOr<std::unique_ptr<ssl::context>> LoadTls(const std::string& cert_file, const std::string& key_file) {
  auto cert = util::ReadFile(cert_file);
  if (!cert.ok()) return absl::InvalidArgumentError(util::StrCat("TLS certificate: ", cert.status().message()));
  auto key = util::ReadFile(key_file);
  if (!key.ok()) return absl::InvalidArgumentError(util::StrCat("TLS key: ", key.status().message()));

  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ::SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression | ssl::context::single_dh_use);
  // An encrypted key must fail, not prompt on the terminal.
  ctx->set_password_callback([](size_t, ssl::context::password_purpose) { return std::string(); });

  beast::error_code ec;
  ctx->use_certificate_chain(net::buffer(*cert), ec);
  if (ec) {
    return absl::InvalidArgumentError(
        util::StrCat("TLS certificate ", cert_file, ": not a PEM certificate chain (", OpenSslReason(ec), ")"));
  }
  ctx->use_private_key(net::buffer(*key), ssl::context::pem, ec);
  ::OPENSSL_cleanse(key->data(), key->size());
  if (ec) {
    return absl::InvalidArgumentError(
        util::StrCat("TLS key ", key_file, ": not an unencrypted PEM private key (", OpenSslReason(ec), ")"));
  }
  if (::SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ::ERR_clear_error();
    return absl::InvalidArgumentError(
        util::StrCat("TLS key ", key_file, " does not match the certificate in ", cert_file));
  }
  return ctx;
}

// What the server needs to reach a connection from outside its strand.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection if it is waiting for a request; otherwise lets the
  // exchange in progress finish (the server's stopping flag makes it close
  // afterwards).
  virtual void Stop() = 0;
  // Closes the connection whatever it is doing.
  virtual void ForceClose() = 0;
};

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions opts, Handler h, int thread_count)
      : options(std::move(opts)),
        handler(std::move(h)),
        ioc(thread_count),
        acceptor(net::make_strand(ioc)),
        accept_retry(acceptor.get_executor()),
        work(net::make_work_guard(ioc)) {}

  void Register(const std::shared_ptr<SessionBase>& session, bool counted) {
    std::lock_guard<std::mutex> lock(mu);
    sessions.emplace(session.get(), session);
    if (counted) ++active;
  }
  void Unregister(SessionBase* session, bool counted) {
    std::lock_guard<std::mutex> lock(mu);
    sessions.erase(session);
    if (counted) --active;
    if (sessions.empty()) cv.notify_all();
  }
  std::vector<std::shared_ptr<SessionBase>> Snapshot() {
    std::vector<std::shared_ptr<SessionBase>> out;
    std::lock_guard<std::mutex> lock(mu);
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }
  bool Stopping() const { return stopping_flag.load(std::memory_order_acquire); }

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Shutdown(absl::Duration deadline);

  const ServerOptions options;
  const Handler handler;
  std::unique_ptr<ssl::context> tls;  // Null for plain HTTP.
  uint16_t port = 0;
  std::atomic<bool> stopping_flag{false};

  std::mutex mu;  // Guards sessions, active and stopped.
  std::condition_variable cv;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  size_t active = 0;  // Sessions counted against max_connections (not the 503 ones).
  bool stopped = false;

  std::mutex shutdown_mu;       // Held through Shutdown: one runs, later callers wait.
  std::thread shutdown_thread;  // When Shutdown was asked from a server thread.

  // Destroyed before everything above, so handlers still queued (and the
  // sessions they hold) go while the registry and TLS context exist.
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

namespace {

// One connection: reads requests one at a time, hands each to the Handler,
// writes the response, and repeats while keep-alive holds. Every step runs
// on the connection's strand (the socket's executor); deadlines come from
// one steady_timer, so the head deadline can cancel the read and still
// answer 408 on the open connection.
template <bool kTls>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, ssl::stream<tcp::socket>, tcp::socket>;

  Session(HttpServer::Impl* server, tcp::socket socket, std::string remote_address, bool reject)
      : server_(server),
        options_(server->options),
        stream_(MakeStream(server, std::move(socket))),
        timer_(stream_.get_executor()),
        remote_address_(std::move(remote_address)),
        reject_(reject) {}

  ~Session() override { server_->Unregister(this, !reject_); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->DoStart(); });
  }

  void Stop() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->phase_ == Phase::kIdle) self->Close();
    });
  }

  void ForceClose() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

 private:
  enum class Phase { kHandshake, kIdle, kReadingHead, kReadingBody, kHandling, kWriting, kClosing, kClosed };
  enum class OnExpiry { kCancel, kClose };

  static Stream MakeStream(HttpServer::Impl* server, tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *server->tls);
    } else {
      (void)server;
      return socket;
    }
  }

  tcp::socket& Socket() { return beast::get_lowest_layer(stream_); }

  // Sets the one deadline. kCancel cancels the pending read and marks it
  // timed out (so the read's handler answers 408); kClose closes.
  void Arm(SteadyClock::time_point deadline, OnExpiry what) {
    uint64_t gen = ++timer_gen_;
    timer_.expires_at(deadline);
    timer_.async_wait([self = this->shared_from_this(), gen, what](beast::error_code ec) {
      if (ec || gen != self->timer_gen_ || self->phase_ == Phase::kClosed) return;
      if (what == OnExpiry::kClose) {
        self->Close();
        return;
      }
      self->timed_out_ = true;
      beast::error_code ignored;
      self->Socket().cancel(ignored);
    });
  }

  void Disarm() {
    ++timer_gen_;
    timer_.cancel();
  }

  void DoStart() {
    request_start_ = SteadyClock::now();
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      Arm(After(options_.header_timeout), OnExpiry::kClose);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        self->Disarm();
        if (self->phase_ == Phase::kClosed) return;
        if (ec) {
          self->Close();  // Not TLS, or a failed handshake: nothing to answer.
          return;
        }
        self->AfterHandshake();
      });
    } else {
      AfterHandshake();
    }
  }

  void AfterHandshake() {
    if (reject_) {
      RespondError(503, util::StrCat("the server is at its limit of ", options_.max_connections,
                                     " connections; try again later"));
      return;
    }
    head_deadline_ = After(options_.header_timeout);
    first_request_ = true;
    WaitForRequest();
  }

  // Between requests: waits for the next request's first bytes (idle
  // timeout), unless they are already buffered (pipelining).
  void WaitForRequest() {
    if (phase_ == Phase::kClosed) return;
    if (server_->Stopping()) {
      GracefulClose(buffer_.size() > 0 ? kLinger : kCloseWait);
      return;
    }
    if (buffer_.size() > 0) {
      BeginHead();
      return;
    }
    phase_ = Phase::kIdle;
    Arm(first_request_ ? head_deadline_ : After(options_.idle_timeout), OnExpiry::kClose);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->Disarm();
                              if (self->phase_ == Phase::kClosed) return;
                              if (ec) {
                                self->Close();  // Idle timeout, the client left, or Shutdown.
                                return;
                              }
                              self->buffer_.commit(n);
                              self->BeginHead();
                            });
  }

  void BeginHead() {
    phase_ = Phase::kReadingHead;
    request_read_ = false;
    request_start_ = SteadyClock::now();
    if (!first_request_) head_deadline_ = After(options_.header_timeout);
    first_request_ = false;
    parser_.emplace();
    parser_->header_limit(
        static_cast<uint32_t>(std::min<size_t>(options_.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(static_cast<uint64_t>(options_.max_body_bytes));
    Arm(head_deadline_, OnExpiry::kCancel);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
  }

  void OnHead(beast::error_code ec) {
    Disarm();
    bool timed_out = std::exchange(timed_out_, false);
    if (phase_ == Phase::kClosed) return;
    if (ec) {
      FailRead(ec, timed_out, "head", options_.header_timeout);
      return;
    }
    auto& msg = parser_->get();  // Beast accepts only HTTP/1.0 and HTTP/1.1.
    if (msg.version() == 11 && msg.find(http::field::host) == msg.end()) {
      RespondError(400, "HTTP/1.1 request without a Host header");
      return;
    }
    if (parser_->is_done()) {
      Handle();
      return;
    }
    if (msg.version() == 11 && beast::iequals(msg[http::field::expect], "100-continue")) {
      // The body is within the limit (the parser checked Content-Length):
      // tell the client to send it.
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      phase_ = Phase::kWriting;
      Arm(After(options_.write_timeout), OnExpiry::kClose);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](beast::error_code ec, size_t) {
                         self->Disarm();
                         if (self->phase_ == Phase::kClosed) return;
                         if (ec) {
                           self->Close();
                           return;
                         }
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    phase_ = Phase::kReadingBody;
    Arm(After(options_.body_timeout), OnExpiry::kCancel);
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->Disarm();
      bool timed_out = std::exchange(self->timed_out_, false);
      if (self->phase_ == Phase::kClosed) return;
      if (ec) {
        self->FailRead(ec, timed_out, "body", self->options_.body_timeout);
        return;
      }
      self->Handle();
    });
  }

  // A read of the request head or body failed: answer what can be answered.
  void FailRead(beast::error_code ec, bool timed_out, std::string_view part, absl::Duration timeout) {
    if (timed_out && ec == net::error::operation_aborted) {
      RespondError(408, util::StrCat("request ", part, " not received within ", Millis(timeout), " ms"));
    } else if (ec == http::error::header_limit) {
      RespondError(431, util::StrCat("request head larger than ", options_.max_header_bytes, " bytes"));
    } else if (ec == http::error::body_limit) {
      RespondError(413, util::StrCat("request body larger than ", options_.max_body_bytes, " bytes"));
    } else if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      RespondError(400, util::StrCat("malformed request: ", ec.message()));
    } else {
      Close();  // The client left (EOF, reset) or Shutdown's deadline passed.
    }
  }

  void Handle() {
    phase_ = Phase::kHandling;
    request_read_ = true;
    auto& msg = parser_->get();
    Request req;
    req.method = ToString(msg.method_string());
    req.target = ToString(msg.target());
    method_ = req.method;
    target_ = req.target;
    if (auto bad = SplitTarget(req.target, &req.path, &req.query)) {
      RespondError(400, *bad);
      return;
    }
    req.headers.reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
    for (const auto& field : msg) req.headers.emplace_back(Lower(field.name_string()), ToString(field.value()));
    req.body = std::move(msg.body());
    req.remote_address = remote_address_;
    req.tls = kTls;

    Response response;
    try {
      response = server_->handler(req);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "aisafe: HTTP handler threw on %s %s: %s\n", req.method.c_str(), req.target.c_str(),
                   e.what());
      response = Problem(500, "internal error");
    } catch (...) {
      std::fprintf(stderr, "aisafe: HTTP handler threw on %s %s\n", req.method.c_str(), req.target.c_str());
      response = Problem(500, "internal error");
    }
    Send(std::move(response), msg.version(), msg.keep_alive(), msg.method() == http::verb::head);
  }

  // Answers the request in hand with a problem and closes the connection
  // afterwards.
  void RespondError(int status, std::string_view detail) {
    unsigned version = 11;
    bool head = false;
    if (parser_ && !parser_->get().target().empty()) {  // The request line was parsed.
      auto& msg = parser_->get();
      version = msg.version();
      head = msg.method() == http::verb::head;
      method_ = ToString(msg.method_string());
      target_ = ToString(msg.target());
    }
    Send(Problem(status, detail), version, false, head);
  }

  static bool IsServerManaged(std::string_view name) {
    return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
           EqualsIgnoreCase(name, "connection");
  }

  void Send(Response r, unsigned version, bool keep_alive, bool head_request) {
    if (r.status < 200 || r.status > 599) {
      std::fprintf(stderr, "aisafe: HTTP handler returned status %d\n", r.status);
      r = Problem(500, "internal error");
    }
    for (const auto& [name, value] : r.headers) {
      if (!IsToken(name) || !IsFieldValue(value)) {
        std::fprintf(stderr, "aisafe: HTTP handler returned an invalid header\n");
        r = Problem(500, "internal error");
        break;
      }
    }
    keep_alive = keep_alive && !server_->Stopping();
    res_.emplace();
    res_->version(version);
    res_->result(static_cast<unsigned>(r.status));
    if (http::int_to_status(static_cast<unsigned>(r.status)) == http::status::unknown) res_->reason("Unknown");
    for (auto& [name, value] : r.headers) {
      if (EqualsIgnoreCase(name, "connection") && beast::iequals(value, "close")) keep_alive = false;
      if (IsServerManaged(name)) continue;
      res_->insert(name, value);
    }
    if (res_->find(http::field::date) == res_->end()) res_->set(http::field::date, HttpDate());
    if (r.status != 204 && r.status != 304) {  // These two have no body, and 204 no Content-Length.
      res_->content_length(r.body.size());
      if (!head_request) res_->body() = std::move(r.body);
    }
    if (!keep_alive) {
      res_->set(http::field::connection, "close");
    } else if (version == 10) {
      res_->set(http::field::connection, "keep-alive");
    }
    keep_alive_ = keep_alive;
    status_ = r.status;

    phase_ = Phase::kWriting;
    Arm(After(options_.write_timeout), OnExpiry::kClose);
    http::async_write(stream_, *res_, [self = this->shared_from_this()](beast::error_code ec, size_t bytes) {
      self->OnWritten(ec, bytes);
    });
  }

  void OnWritten(beast::error_code ec, size_t bytes) {
    Disarm();
    Observe(bytes);
    res_.reset();
    parser_.reset();
    method_.clear();
    target_.clear();
    if (phase_ == Phase::kClosed) return;
    if (ec) {
      Close();
    } else if (!keep_alive_) {
      GracefulClose(request_read_ && buffer_.size() == 0 ? kCloseWait : kLinger);
    } else {
      WaitForRequest();
    }
  }

  void Observe(size_t bytes) {
    if (!options_.observer) return;
    Exchange x;
    x.method = method_;
    x.target = target_;
    x.status = status_;
    x.duration = absl::FromChrono(SteadyClock::now() - request_start_);
    x.remote_address = remote_address_;
    x.response_bytes = bytes;
    try {
      options_.observer(x);
    } catch (...) {
    }
  }

  // After a response that ends the connection: TLS close_notify, stop
  // sending, drain what the client still sends for up to `linger`, close.
  void GracefulClose(std::chrono::milliseconds linger) {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosing;
    Arm(SteadyClock::now() + linger, OnExpiry::kClose);
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        if (self->phase_ == Phase::kClosed) return;
        self->HalfCloseAndDrain();
      });
    } else {
      HalfCloseAndDrain();
    }
  }

  void HalfCloseAndDrain() {
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    Drain();
  }

  void Drain() {
    Socket().async_read_some(buffer_.prepare(kReadChunk),
                             [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                               if (self->phase_ == Phase::kClosed) return;
                               self->drained_ += n;
                               if (ec || self->drained_ > kMaxLingerBytes) {
                                 self->Close();
                               } else {
                                 self->Drain();
                               }
                             });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    Disarm();
    beast::error_code ignored;
    Socket().close(ignored);
  }

  HttpServer::Impl* const server_;
  const ServerOptions& options_;
  Stream stream_;
  net::steady_timer timer_;
  const std::string remote_address_;
  const bool reject_;  // Over max_connections: answer 503 and close.

  Phase phase_ = Phase::kHandshake;
  uint64_t timer_gen_ = 0;  // Bumped by every Arm/Disarm; a stale expiry is ignored.
  bool timed_out_ = false;
  bool first_request_ = true;
  bool request_read_ = false;  // The request in hand was read completely.
  SteadyClock::time_point head_deadline_;
  SteadyClock::time_point request_start_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  bool keep_alive_ = false;
  int status_ = 0;
  std::string method_, target_;  // Of the exchange in progress, for the observer.
  size_t drained_ = 0;
};

template <bool kTls>
void StartSession(HttpServer::Impl* server, tcp::socket socket, std::string remote_address, bool reject) {
  auto session = std::make_shared<Session<kTls>>(server, std::move(socket), std::move(remote_address), reject);
  server->Register(session, !reject);
  session->Start();
}

}  // namespace

void HttpServer::Impl::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || Stopping() || !acceptor.is_open()) return;
  if (ec) {
    // Out of descriptors or memory: back off instead of spinning.
    accept_retry.expires_after(kAcceptRetry);
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !Stopping()) DoAccept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  tcp::endpoint peer = socket.remote_endpoint(ignored);
  bool reject, drop;
  {
    std::lock_guard<std::mutex> lock(mu);
    reject = active >= options.max_connections;
    drop = reject && sessions.size() - active >= kMaxRejecting;
  }
  if (drop) {
    DoAccept();
    return;  // `socket` closes here.
  }
  if (tls) {
    StartSession<true>(this, std::move(socket), AddressText(peer), reject);
  } else {
    StartSession<false>(this, std::move(socket), AddressText(peer), reject);
  }
  DoAccept();
}

void HttpServer::Impl::Shutdown(absl::Duration deadline) {
  if (ioc.get_executor().running_in_this_thread()) {
    // From a Handler: waiting here would wait for ourselves. Shut down from
    // another thread; the destructor joins it.
    std::lock_guard<std::mutex> lock(mu);
    if (!stopped && !shutdown_thread.joinable())
      shutdown_thread = std::thread([this, deadline] { Shutdown(deadline); });
    return;
  }
  std::lock_guard<std::mutex> once(shutdown_mu);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) return;
  }
  auto until = After(deadline);
  stopping_flag.store(true, std::memory_order_release);

  // Stop accepting: from here connecting is refused.
  std::promise<void> closed;
  net::post(acceptor.get_executor(), [this, &closed] {
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
    closed.set_value();
  });
  closed.get_future().wait();

  // Idle connections close now; the others after their exchange in progress.
  for (const auto& s : Snapshot()) s->Stop();
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_until(lock, until, [this] { return sessions.empty(); });
  }
  for (const auto& s : Snapshot()) s->ForceClose();
  {
    // A Handler that is still running holds its session until it returns.
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [this] { return sessions.empty(); });
  }
  work.reset();
  ioc.stop();
  for (auto& t : threads) t.join();
  threads.clear();
  {
    std::lock_guard<std::mutex> lock(mu);
    stopped = true;
  }
  cv.notify_all();
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions options, Handler handler) {
  if (!handler) return absl::InvalidArgumentError("HTTP server: no handler");
  if (options.threads < 0) return absl::InvalidArgumentError("HTTP server: threads must be >= 0");
  if (options.max_header_bytes == 0 || options.max_body_bytes == 0) {
    return absl::InvalidArgumentError("HTTP server: max_header_bytes and max_body_bytes must be positive");
  }
  for (absl::Duration d : {options.header_timeout, options.body_timeout, options.idle_timeout, options.write_timeout}) {
    if (d <= absl::ZeroDuration()) return absl::InvalidArgumentError("HTTP server: timeouts must be positive");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("HTTP server: tls_cert and tls_key must be given together");
  }
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  std::unique_ptr<ssl::context> tls;
  if (!options.tls_cert_file.empty()) {
    auto loaded = LoadTls(options.tls_cert_file, options.tls_key_file);
    if (!loaded.ok()) return loaded.status();
    tls = *std::move(loaded);
  }
  auto endpoint = ListenEndpoint(options.host, options.port);
  if (!endpoint.ok()) return endpoint.status();

  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), threads);
  impl->tls = std::move(tls);
  std::string where = util::StrCat(impl->options.host, ":", impl->options.port);
  beast::error_code ec;
  tcp::acceptor& acceptor = impl->acceptor;
  acceptor.open(endpoint->protocol(), ec);
  if (ec) return absl::UnavailableError(util::StrCat("cannot open a socket for ", where, ": ", ec.message()));
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  acceptor.bind(*endpoint, ec);
  if (ec == net::error::address_in_use) {
    return absl::UnavailableError(util::StrCat("cannot listen on ", where, ": the address is in use"));
  }
  if (ec == boost::system::errc::address_not_available) {
    return absl::InvalidArgumentError(util::StrCat("cannot listen on ", where, ": not an address of this machine"));
  }
  if (ec == net::error::access_denied) {
    return absl::PermissionDeniedError(util::StrCat("cannot listen on ", where, ": ", ec.message()));
  }
  if (ec) return absl::UnavailableError(util::StrCat("cannot listen on ", where, ": ", ec.message()));
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(util::StrCat("cannot listen on ", where, ": ", ec.message()));
  impl->port = acceptor.local_endpoint(ec).port();

  net::post(acceptor.get_executor(), [raw = impl.get()] { raw->DoAccept(); });
  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] {
      for (;;) {
        try {
          raw->ioc.run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "aisafe: HTTP server thread: %s\n", e.what());
        }
      }
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  impl_->Shutdown(absl::Seconds(30));
  if (impl_->shutdown_thread.joinable()) impl_->shutdown_thread.join();
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Shutdown(absl::Duration deadline) { impl_->Shutdown(deadline); }

void HttpServer::Wait() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait(lock, [this] { return impl_->stopped; });
}

}  // namespace aisafe::server
