// serve: the node's HTTP server until SIGINT/SIGTERM (issue 4).
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <ostream>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "cli/command.h"
#include "federation/puller.h"
#include "nlohmann/json.hpp"
#include "node/node.h"
#include "server/api.h"
#include "server/http_server.h"
#include "util/clock.h"
#include "util/strings.h"

namespace aisafe::cli {
namespace {

// Splits "HOST:PORT" ("[::1]:8080" for IPv6).
absl::Status ParseListen(std::string_view listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(util::StrCat("--listen \"", listen, "\" must be HOST:PORT"));
  }
  std::string_view h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string_view p = listen.substr(colon + 1);
  unsigned value = 0;
  bool ok = !p.empty() && p.size() <= 5;
  for (char c : p) {
    ok = ok && c >= '0' && c <= '9';
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (!ok || value > 65535) {
    return absl::InvalidArgumentError(util::StrCat("--listen \"", listen, "\": port must be 0 to 65535"));
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(value);
  return absl::OkStatus();
}

// One JSON line per exchange, buffered; "-" is stderr.
class AccessLog {
 public:
  explicit AccessLog(FILE* f) : f_(f) {}
  void Write(const server::Exchange& e) {
    nlohmann::json line = {{"time", util::FormatTimestamp(absl::Now())},
                           {"remote", e.remote_address},
                           {"method", e.method},
                           {"target", e.target},
                           {"status", e.status},
                           {"ms", absl::ToDoubleMilliseconds(e.duration)},
                           {"bytes", e.response_bytes}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    absl::MutexLock lock(&mu_);
    std::fwrite(text.data(), 1, text.size(), f_);
  }
  void Flush() {
    absl::MutexLock lock(&mu_);
    std::fflush(f_);
  }

 private:
  absl::Mutex mu_;
  FILE* f_;
};

std::string Resolve(const std::string& dir, const std::string& file) {
  if (file.empty() || file[0] == '/') return file;
  return dir + "/" + file;
}

// Where the web application's built files are: --web, else next to an
// installed binary (PREFIX/share/aisafe/web), else the build tree's.
// "" when none is found; "none" turns the application off.
std::string FindWebDir(const std::string& flag) {
  namespace fs = std::filesystem;
  if (!flag.empty()) return flag == "none" ? "" : flag;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share/aisafe/web");
#ifdef AISAFE_BUILD_WEB_DIR
  candidates.emplace_back(AISAFE_BUILD_WEB_DIR);
#endif
  for (const fs::path& c : candidates) {
    if (fs::is_regular_file(c / "index.html", ec)) return c.string();
  }
  return "";
}

class ServeCommand final : public Command {
 public:
  std::string Name() const override { return "serve"; }
  std::string Help() const override {
    return "Run the node's HTTP server (API under /v1, log tiles under /log) until SIGINT or SIGTERM, then finish "
           "in-flight requests and stop.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("--listen", listen_, "HOST:PORT (default: [server] listen in node.toml, 127.0.0.1:8080)");
    sub->add_option("--threads", threads_, "Server threads (default: [server] threads, 0 = one per core)");
    sub->add_option("--tls-cert", tls_cert_, "PEM certificate chain; with --tls-key, serve HTTPS");
    sub->add_option("--tls-key", tls_key_, "PEM private key");
    sub->add_option("--web", web_,
                    "The web application's built files, served at / (default: PREFIX/share/aisafe/web, else the "
                    "build tree's; none: no application)");
    sub->add_option("--access-log", access_log_, "Access log: a file, - for stderr (default), or off");
    sub->add_option("--sync-interval", sync_ms_,
                    "Pull from every peer this often, in milliseconds (default: [federation] sync_interval_ms; 0: "
                    "never)")
        ->check(CLI::Range(int64_t{0}, int64_t{86400000}));
  }
  absl::Status Run(Context& ctx) override {
    auto opened = node::Node::Open(ctx.data_dir);
    if (!opened.ok()) return opened.status();
    node::Node& node = **opened;
    const node::ServerSettings& s = node.config().server;

    server::ServerOptions options;
    if (auto st = ParseListen(listen_.empty() ? s.listen : listen_, &options.host, &options.port); !st.ok()) {
      return st;
    }
    options.threads = threads_ >= 0 ? threads_ : s.threads;
    options.max_body_bytes = s.max_body_bytes;
    options.max_header_bytes = s.max_header_bytes;
    options.header_timeout = s.header_timeout;
    options.body_timeout = s.body_timeout;
    options.idle_timeout = s.idle_timeout;
    options.tls_cert_file = tls_cert_.empty() ? Resolve(ctx.data_dir, s.tls_cert) : tls_cert_;
    options.tls_key_file = tls_key_.empty() ? Resolve(ctx.data_dir, s.tls_key) : tls_key_;
    if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
      return absl::InvalidArgumentError("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
    }

    std::unique_ptr<server::WebAssets> web;
    if (std::string web_dir = FindWebDir(web_); !web_dir.empty()) {
      auto loaded = server::WebAssets::Load(web_dir);
      // An explicit --web must work; a default location may be absent.
      if (!loaded.ok() && !web_.empty()) return loaded.status();
      if (loaded.ok()) web = std::move(*loaded);
    }
    if (!web && web_ != "none") {
      *ctx.err << "aisafe: no web application found (build it, or give --web DIR); serving the API only\n";
    }
    server::Api api(&node, {.token_write_rate = s.token_write_rate,
                            .token_write_burst = s.token_write_burst,
                            .address_write_rate = s.address_write_rate,
                            .address_write_burst = s.address_write_burst,
                            .web = web.get()});
    std::unique_ptr<AccessLog> access;
    FILE* log_file = nullptr;
    if (access_log_ == "-") {
      access = std::make_unique<AccessLog>(stderr);
    } else if (access_log_ != "off") {
      log_file = std::fopen(access_log_.c_str(), "a");
      if (log_file == nullptr) return absl::InvalidArgumentError(util::StrCat("cannot open ", access_log_));
      access = std::make_unique<AccessLog>(log_file);
    }
    options.observer = [&api, log = access.get()](const server::Exchange& e) {
      api.ObserveCoreExchange(e);
      if (log) log->Write(e);
    };

    // Block the stop signals before any thread starts, so only the waiter
    // below receives them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    auto server = server::HttpServer::Start(options, [&api](const server::Request& r) { return api.Handle(r); });
    if (!server.ok()) return server.status();

    // Entries written since the newest checkpoint get one within the
    // checkpoint interval even when no more writes come.
    absl::Notification stopping;
    std::thread checkpointer([&] {
      absl::Duration every = std::max(node.config().checkpoint_interval, absl::Milliseconds(100));
      while (!stopping.WaitForNotificationWithTimeout(every)) {
        if (auto cp = node.CheckpointLog(); !cp.ok()) *ctx.err << "checkpoint: " << cp.status() << "\n";
      }
    });

    // Pull rounds from every peer. What a round refuses or finds is logged
    // as JSON lines on stderr and counted in /metrics.
    std::atomic<bool> cancel_sync{false};
    absl::Duration sync_every = sync_ms_ >= 0 ? absl::Milliseconds(sync_ms_) : node.config().sync_interval;
    std::thread syncer;
    if (sync_every > absl::ZeroDuration()) {
      syncer = std::thread([&, sync_every] { SyncLoop(node, api, sync_every, stopping, cancel_sync, ctx); });
    }

    const char* scheme = options.tls_cert_file.empty() ? "http" : "https";
    bool v6 = options.host.find(':') != std::string::npos;
    *ctx.err << "aisafe: node " << node.config().name << " serving on " << scheme << "://" << (v6 ? "[" : "")
             << options.host << (v6 ? "]" : "") << ":" << (*server)->port() << "/\n";
    *ctx.out << scheme << "://" << (v6 ? "[" : "") << options.host << (v6 ? "]" : "") << ":" << (*server)->port() << "/"
             << std::endl;

    int sig = 0;
    sigwait(&stop_signals, &sig);
    *ctx.err << "aisafe: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": finishing in-flight requests\n";
    cancel_sync = true;
    stopping.Notify();
    if (syncer.joinable()) syncer.join();
    (*server)->Shutdown(absl::Seconds(30));
    checkpointer.join();
    // What was stored is checkpointed before the process ends.
    if (auto cp = node.CheckpointLog(); !cp.ok()) *ctx.err << "checkpoint: " << cp.status() << "\n";
    if (access) access->Flush();
    if (log_file) std::fclose(log_file);
    *ctx.err << "aisafe: stopped\n";
    return absl::OkStatus();
  }

 private:
  std::string listen_;
  std::string web_;
  int threads_ = -1;
  std::string tls_cert_;
  std::string tls_key_;
  std::string access_log_ = "-";
  int64_t sync_ms_ = -1;

  static void LogLine(nlohmann::json line) {
    line["time"] = util::FormatTimestamp(absl::Now());
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
  }

  static void SyncLoop(node::Node& node, server::Api& api, absl::Duration every, absl::Notification& stopping,
                       std::atomic<bool>& cancel, Context&) {
    server::metrics::Registry& m = api.metrics();
    federation::SyncObserver observer;
    observer.on_stored = [&m](const std::string& peer, uint64_t n) {
      m.GetCounter("aisafe_federation_records_received_total", "Records stored from peers' feeds.", {{"peer", peer}})
          .Increment(n);
    };
    observer.on_rejected = [&m](const std::string& peer, const std::string& kind, const std::string& detail) {
      m.GetCounter("aisafe_federation_pages_rejected_total", "Feed pages refused, by peer and reason.",
                   {{"peer", peer}, {"reason", kind}})
          .Increment();
      LogLine({{"event", "federation_page_rejected"}, {"peer", peer}, {"reason", kind}, {"detail", detail}});
    };
    observer.on_split_view = [&m](const std::string& origin, const std::string& reason) {
      m.GetCounter("aisafe_split_views_raised_total", "Split-view alerts raised, by how they were found.",
                   {{"found_by", "pull"}})
          .Increment();
      LogLine({{"event", "split_view"}, {"origin", origin}, {"reason", reason}});
    };
    federation::SyncOptions options;
    options.cancel = &cancel;
    options.client.request_timeout = absl::Seconds(30);
    options.client.ca_file = Resolve(node.dir(), node.config().federation_ca_file);
    federation::Puller puller(&node, options, observer);
    do {
      for (const federation::PeerSyncReport& r : puller.SyncAll()) {
        m.GetCounter("aisafe_federation_sync_rounds_total", "Pull rounds, by peer and outcome.",
                     {{"peer", r.peer}, {"outcome", r.status.ok() ? "ok" : "error"}})
            .Increment();
        if (!r.status.ok() && !absl::IsCancelled(r.status)) {
          LogLine({{"event", "federation_sync_failed"}, {"peer", r.peer}, {"detail", std::string(r.status.message())}});
        }
        if (cancel) break;
      }
    } while (!stopping.WaitForNotificationWithTimeout(every));
  }
};

}  // namespace

std::vector<std::unique_ptr<Command>> ServeCommands() {
  std::vector<std::unique_ptr<Command>> v;
  v.push_back(std::make_unique<ServeCommand>());
  return v;
}

}  // namespace aisafe::cli
