// A small blocking HTTP/1.1 client for the end-to-end tests (plain or TLS
// through OpenSSL), and a running `aisafe serve` process. One request per
// connection ("Connection: close"), every socket with a 20 s timeout, so a
// test can never hang on a server that stops answering.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/e2e_util.h"

extern char** environ;

namespace aisafe::testing {

struct HttpResult {
  int status = 0;                              // 0: no response (connection refused or closed early).
  std::map<std::string, std::string> headers;  // Lowercase names.
  std::string body;
};

struct HttpOptions {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string tls_ca_file;  // Set: HTTPS, verifying the server against this CA for 127.0.0.1.
};

inline int ConnectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline HttpResult ParseResponse(const std::string& raw) {
  HttpResult r;
  size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + 9);
  size_t pos = raw.find("\r\n") + 2;
  while (pos < head_end) {
    size_t eol = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, eol - pos);
    size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = line.find_first_not_of(' ', colon + 1);
    r.headers[name] = v == std::string::npos ? "" : line.substr(v);
    pos = eol + 2;
  }
  r.body = raw.substr(head_end + 4);
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
    size_t n = std::stoul(it->second);
    if (r.body.size() < n) return HttpResult{};  // Cut short: not a response.
    r.body.resize(n);
  }
  return r;
}

inline HttpResult Http(uint16_t port, const std::string& method, const std::string& target,
                       const HttpOptions& options = {}) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : options.headers) req += k + ": " + v + "\r\n";
  if (!options.body.empty() || method == "POST")
    req += "Content-Length: " + std::to_string(options.body.size()) + "\r\n";
  req += "\r\n" + options.body;
  int fd = ConnectLoopback(port);
  if (fd < 0) return {};
  std::string raw;
  char buf[16384];
  if (options.tls_ca_file.empty()) {
    size_t sent = 0;
    while (sent < req.size()) {
      ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) raw.append(buf, static_cast<size_t>(n));
  } else {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_load_verify_locations(ctx, options.tls_ca_file.c_str(), nullptr);
    SSL* ssl = SSL_new(ctx);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      SSL_write(ssl, req.data(), static_cast<int>(req.size()));
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) raw.append(buf, static_cast<size_t>(n));
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
  ::close(fd);
  return ParseResponse(raw);
}

// `aisafe --data DIR serve --listen 127.0.0.1:0 ...`, stopped by SIGTERM.
class ServeProcess {
 public:
  ServeProcess(const std::string& data, std::vector<std::string> extra = {}, std::string listen = "127.0.0.1:0") {
    std::vector<std::string> args = {AISAFE_BINARY, "--data",    data, "serve",        "--listen",
                                     listen,        "--threads", "2",  "--access-log", "off"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    err_path_ = data + ".serve.err";
    posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    // The first stdout line is the address: "http://127.0.0.1:PORT/".
    std::string line;
    char c;
    while (line.size() < 200 && ::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    size_t colon = line.rfind(':');
    if (colon != std::string::npos) port_ = static_cast<uint16_t>(std::atoi(line.c_str() + colon + 1));
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string Stderr() const { return Slurp(err_path_); }
  // SIGTERM, then the exit status (-1 if it did not exit by itself in 30 s).
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 3000; ++i) {
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string err_path_;
};

// The non-empty lines of `s`.
inline std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) nl = s.size();
    if (nl > pos) out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

// A request as `token` (empty: the public), with a body of media `type`.
inline HttpOptions As(const std::string& token, std::string body = "", std::string type = "") {
  HttpOptions o;
  if (!token.empty()) o.headers.emplace_back("Authorization", "Bearer " + token);
  if (!type.empty()) o.headers.emplace_back("Content-Type", type);
  o.body = std::move(body);
  return o;
}

// A node driven through the CLI, with principals and their tokens, for the
// tests that talk to its `serve`.
class ApiFixture : public CliFixture {
 protected:
  // A new principal with a fresh token.
  std::string Token(const std::string& name, const std::string& role) {
    Result add = Node({"principal", "add", name, "--role", role});
    EXPECT_EQ(add.code, 0) << add.err;
    Result t = Node({"token", "create", name});
    EXPECT_EQ(t.code, 0) << t.err;
    return Lines(t.out).empty() ? "" : Lines(t.out)[0];
  }
};

}  // namespace aisafe::testing
