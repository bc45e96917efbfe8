#include "node/node.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "absl/strings/str_format.h"
#include "log/checkpoint.h"
#include "records/record.h"
#include "search/xapian_index.h"
#include "store/sqlite_store.h"
#include "util/file.h"
#include "util/strings.h"

#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

namespace aisafe::node {
namespace {

constexpr char kConfigFile[] = "node.toml";
constexpr char kKeyFile[] = "node.key";
constexpr char kStoreFile[] = "store.sqlite";
constexpr char kSearchDir[] = "search";
constexpr char kSearchRebuildDir[] = "search.new";

std::string Path(const std::string& dir, std::string_view file) { return util::StrCat(dir, "/", file); }

// The files init writes; a directory holding only these (and no node.toml)
// is an init that was interrupted and may be redone.
const std::set<std::string, std::less<>>& OwnFiles() {
  static const auto* files = new std::set<std::string, std::less<>>{
      kKeyFile,   kStoreFile,       "store.sqlite-wal", "store.sqlite-shm", "store.sqlite-journal",
      kSearchDir, kSearchRebuildDir};
  return *files;
}

// Lists `dir`'s entries (without . and ..). NotFound if absent.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    int err = errno;
    std::string msg = util::StrCat("cannot read directory ", dir, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(msg);
    if (err == EACCES) return absl::PermissionDeniedError(msg);
    if (err == ENOTDIR) return absl::FailedPreconditionError(util::StrCat(dir, " is not a directory"));
    return absl::InternalError(msg);
  }
  std::vector<std::string> out;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") out.emplace_back(n);
  }
  ::closedir(d);
  return out;
}

std::string ConfigText(const NodeConfig& c) {
  return absl::StrFormat(
      "# aisafe node configuration (docs/formats/data-dir.md).\n"
      "format = %d\n"
      "name = \"%s\"\n"
      "country = \"%s\"\n"
      "\n"
      "[records]\n"
      "# Largest record accepted, in bytes of its canonical form.\n"
      "max_bytes = %d\n"
      "\n"
      "[log]\n"
      "# Least time between two signed checkpoints, in milliseconds (0: after\n"
      "# every write). Writes wait for the checkpoint that covers them.\n"
      "checkpoint_interval_ms = %d\n"
      "\n"
      "[federation]\n"
      "# aisafe serve pulls from every peer this often, in milliseconds (0: never;\n"
      "# aisafe sync still pulls on demand).\n"
      "sync_interval_ms = %d\n"
      "# HTTPS peers' certificates must chain to these CAs (default: the system's).\n"
      "# ca_file = \"peers-ca.pem\"\n"
      "\n"
      "[server]\n"
      "# aisafe serve: address, threads (0: one per core), limits and TLS.\n"
      "# Flags of serve override these; docs/formats/data-dir.md lists them all.\n"
      "listen = \"%s\"\n"
      "threads = %d\n"
      "# tls_cert = \"cert.pem\"\n"
      "# tls_key = \"key.pem\"\n",
      kDataDirFormat, c.name, c.country, c.max_record_bytes, absl::ToInt64Milliseconds(c.checkpoint_interval),
      absl::ToInt64Milliseconds(c.sync_interval), c.server.listen, c.server.threads);
}

// Reads an integer key of [server] within [lo, hi] into `out`, if present.
template <typename T>
absl::Status ServerInt(const std::string& path, const toml::table& t, const char* key, int64_t lo, int64_t hi, T* out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return absl::OkStatus();
  auto v = n->value<int64_t>();
  if (!v || *v < lo || *v > hi) {
    return absl::FailedPreconditionError(
        util::StrCat(path, ": server.", key, " must be an integer between ", lo, " and ", hi));
  }
  *out = static_cast<T>(*v);
  return absl::OkStatus();
}

absl::Status ParseServerSettings(const std::string& path, const toml::table& root, ServerSettings* s) {
  const toml::table* t = root["server"].as_table();
  if (t == nullptr) return absl::OkStatus();
  if (const toml::node* n = t->get("listen")) {
    auto v = n->value<std::string>();
    if (!v || v->empty()) return absl::FailedPreconditionError(util::StrCat(path, ": server.listen must be HOST:PORT"));
    s->listen = *v;
  }
  for (auto [key, field] : {std::pair{"tls_cert", &s->tls_cert}, std::pair{"tls_key", &s->tls_key}}) {
    if (const toml::node* n = t->get(key)) {
      auto v = n->value<std::string>();
      if (!v) return absl::FailedPreconditionError(util::StrCat(path, ": server.", key, " must be a file name"));
      *field = *v;
    }
  }
  int64_t header_ms = absl::ToInt64Milliseconds(s->header_timeout);
  int64_t body_ms = absl::ToInt64Milliseconds(s->body_timeout);
  int64_t idle_ms = absl::ToInt64Milliseconds(s->idle_timeout);
  for (const absl::Status& st : {
           ServerInt(path, *t, "threads", 0, 256, &s->threads),
           ServerInt(path, *t, "max_body_bytes", 1024, int64_t{1} << 30, &s->max_body_bytes),
           ServerInt(path, *t, "max_header_bytes", 1024, 1 << 20, &s->max_header_bytes),
           ServerInt(path, *t, "header_timeout_ms", 100, 600000, &header_ms),
           ServerInt(path, *t, "body_timeout_ms", 100, 3600000, &body_ms),
           ServerInt(path, *t, "idle_timeout_ms", 100, 3600000, &idle_ms),
       }) {
    if (!st.ok()) return st;
  }
  s->header_timeout = absl::Milliseconds(header_ms);
  s->body_timeout = absl::Milliseconds(body_ms);
  s->idle_timeout = absl::Milliseconds(idle_ms);
  for (auto [key, field] :
       {std::pair{"token_write_rate", &s->token_write_rate}, std::pair{"token_write_burst", &s->token_write_burst},
        std::pair{"address_write_rate", &s->address_write_rate},
        std::pair{"address_write_burst", &s->address_write_burst}}) {
    if (const toml::node* n = t->get(key)) {
      auto v = n->value<double>();
      if (!v || *v < 0 || *v > 1e9) {
        return absl::FailedPreconditionError(
            util::StrCat(path, ": server.", key, " must be a number between 0 and 1e9 (0: unlimited)"));
      }
      *field = *v;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<NodeConfig> ParseConfig(const std::string& path, const std::string& text) {
  toml::parse_result parsed = toml::parse(text, path);
  if (!parsed) {
    const auto& err = parsed.error();
    return absl::FailedPreconditionError(util::StrCat(path, ":", err.source().begin.line, ": ", err.description()));
  }
  const toml::table& t = parsed.table();
  auto format = t["format"].value<int64_t>();
  if (!format) return absl::FailedPreconditionError(util::StrCat(path, ": missing format; not an aisafe node"));
  if (*format > kDataDirFormat) {
    return absl::FailedPreconditionError(util::StrCat(path, ": data directory format ", *format,
                                                      " is newer than this aisafe understands (", kDataDirFormat, ")"));
  }
  NodeConfig c;
  auto name = t["name"].value<std::string>();
  auto country = t["country"].value<std::string>();
  if (!name || !country) return absl::FailedPreconditionError(util::StrCat(path, ": name and country are required"));
  c.name = *name;
  c.country = *country;
  if (auto st = CheckNodeName(c.name); !st.ok()) {
    return absl::FailedPreconditionError(util::StrCat(path, ": name: ", st.message()));
  }
  if (auto max = t["records"]["max_bytes"].value<int64_t>()) {
    if (*max < 1024 || *max > (int64_t{64} << 20)) {
      return absl::FailedPreconditionError(util::StrCat(path, ": records.max_bytes must be between 1024 and 67108864"));
    }
    c.max_record_bytes = static_cast<size_t>(*max);
  }
  if (auto ms = t["log"]["checkpoint_interval_ms"].value<int64_t>()) {
    if (*ms < 0 || *ms > 3600000) {
      return absl::FailedPreconditionError(
          util::StrCat(path, ": log.checkpoint_interval_ms must be between 0 and 3600000"));
    }
    c.checkpoint_interval = absl::Milliseconds(*ms);
  }
  if (auto st = ParseServerSettings(path, t, &c.server); !st.ok()) return st;
  if (const toml::node* n = t["federation"]["sync_interval_ms"].node()) {
    auto ms = n->value<int64_t>();
    if (!ms || *ms < 0 || *ms > 86400000) {
      return absl::FailedPreconditionError(
          util::StrCat(path, ": federation.sync_interval_ms must be an integer between 0 and 86400000"));
    }
    c.sync_interval = absl::Milliseconds(*ms);
  }
  if (const toml::node* n = t["federation"]["ca_file"].node()) {
    auto v = n->value<std::string>();
    if (!v || v->empty()) {
      return absl::FailedPreconditionError(util::StrCat(path, ": federation.ca_file must be a file name"));
    }
    c.federation_ca_file = *v;
  }
  return c;
}

absl::StatusOr<keys::Signer> ReadKey(const std::string& path, const std::string& node_name) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(util::StrCat("node key ", path, " is missing: ", std::strerror(errno)));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "node key %s is accessible by group or others (mode %04o); refusing to start. Run: chmod 600 %s", path,
        st.st_mode & 07777, path));
  }
  auto text = util::ReadFile(path);
  if (!text.ok()) return text.status();
  auto signer = keys::Signer::Parse(*text);
  if (!signer.ok()) return absl::FailedPreconditionError(util::StrCat(path, ": ", signer.status().message()));
  if (signer->name() != node_name) {
    return absl::FailedPreconditionError(
        util::StrCat(path, ": key is for \"", signer->name(), "\" but the node is \"", node_name, "\""));
  }
  return signer;
}

}  // namespace

absl::Status CheckNodeName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 63 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        util::StrCat("node name \"", name,
                     "\" must be 1-63 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Node>> Node::Init(const std::string& dir, std::string_view name,
                                                 std::string_view country) {
  if (auto st = CheckNodeName(name); !st.ok()) return st;
  if (!records::IsCountryCode(country)) {
    return absl::InvalidArgumentError(util::StrCat("country \"", country, "\" is not an ISO 3166-1 alpha-2 code"));
  }
  auto entries = ListDir(dir);
  if (entries.status().code() == absl::StatusCode::kNotFound) {
    if (auto st = util::EnsureDirectory(dir); !st.ok()) return st;
    entries = std::vector<std::string>{};
  }
  if (!entries.ok()) return entries.status();
  for (const std::string& e : *entries) {
    if (e == kConfigFile) {
      return absl::AlreadyExistsError(util::StrCat(dir, " already holds an aisafe node; refusing to overwrite it"));
    }
    if (!OwnFiles().contains(e)) {
      return absl::FailedPreconditionError(
          util::StrCat(dir, " is not empty and is not an aisafe node (found ", e, ")"));
    }
  }
  // An interrupted init left only our own files: start again from nothing.
  for (const std::string& e : *entries) {
    std::error_code ec;
    std::filesystem::remove_all(Path(dir, e), ec);
  }

  NodeConfig config;
  config.name = std::string(name);
  config.country = std::string(country);
  keys::Signer signer = keys::Signer::Generate(config.name);
  if (auto st = util::WriteFileAtomic(Path(dir, kKeyFile), signer.Encode() + "\n", 0600); !st.ok()) return st;
  auto store = store::OpenSqliteStore(Path(dir, kStoreFile), {.create = true});
  if (!store.ok()) return store.status();
  if (auto st = (*store)->SetMeta("node.name", config.name); !st.ok()) return st;
  std::unique_ptr<Node> node(new Node(dir, std::move(config), std::move(signer), std::move(*store)));
  // The empty log's checkpoint: every node has signed one from the start.
  if (auto cp = node->store().Checkpoint(node->checkpoint_signer()); !cp.ok()) return cp.status();
  if (auto st = node->AttachSearch(); !st.ok()) return st;
  if (auto st = util::WriteFileAtomic(Path(dir, kConfigFile), ConfigText(node->config()), 0644); !st.ok()) return st;
  return node;
}

absl::StatusOr<std::string> NodeCheckpointSigner::Sign(uint64_t size, const log::Hash& root) const {
  return log::SignCheckpoint(log::Checkpoint{key_->name(), size, root, {}}, *key_);
}

absl::StatusOr<store::StoredCheckpoint> Node::CheckpointLog() const {
  auto newest = store_->LatestCheckpoint();
  if (!newest.ok()) return newest.status();
  auto size = store_->LogSize();
  if (!size.ok()) return size.status();
  if (*newest && (*newest)->size >= *size) return **newest;
  if (*newest) {
    absl::Duration wait = absl::FromUnixMicros((*newest)->created_us) + config_.checkpoint_interval - clock_->Now();
    if (wait > absl::ZeroDuration()) absl::SleepFor(std::min(wait, config_.checkpoint_interval));
  }
  return store_->Checkpoint(checkpoint_signer_);
}

absl::StatusOr<std::unique_ptr<Node>> Node::Open(const std::string& dir) {
  auto entries = ListDir(dir);
  if (!entries.ok()) {
    if (entries.status().code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(util::StrCat("no aisafe node at ", dir, " (create one with: aisafe --data ", dir,
                                              " init --name NAME --country CC)"));
    }
    return entries.status();
  }
  std::string config_path = Path(dir, kConfigFile);
  auto text = util::ReadFile(config_path);
  if (!text.ok()) {
    if (text.status().code() == absl::StatusCode::kNotFound) {
      if (entries->empty()) {
        return absl::NotFoundError(
            util::StrCat("no aisafe node at ", dir, " (the directory is empty; run aisafe init)"));
      }
      return absl::FailedPreconditionError(
          util::StrCat(dir, " is not an aisafe data directory (no ", kConfigFile, ")"));
    }
    return text.status();
  }
  auto config = ParseConfig(config_path, *text);
  if (!config.ok()) return config.status();
  auto signer = ReadKey(Path(dir, kKeyFile), config->name);
  if (!signer.ok()) return signer.status();
  auto store = store::OpenSqliteStore(Path(dir, kStoreFile));
  if (!store.ok()) {
    if (store.status().code() == absl::StatusCode::kNotFound) {
      return absl::FailedPreconditionError(util::StrCat(dir, ": store.sqlite is missing"));
    }
    return store.status();
  }
  auto stored_name = (*store)->GetMeta("node.name");
  if (!stored_name.ok()) return stored_name.status();
  if (!*stored_name || **stored_name != config->name) {
    return absl::FailedPreconditionError(util::StrCat(dir, ": the store belongs to another node than ", config->name));
  }
  std::unique_ptr<Node> node(new Node(dir, std::move(*config), std::move(*signer), std::move(*store)));
  if (auto st = node->AttachSearch(); !st.ok()) return st;
  return node;
}

absl::Status Node::AttachSearch() {
  auto index = search::OpenXapianIndex(Path(dir_, kSearchDir), config_.name);
  if (!index.ok()) return index.status();
  index_ = std::move(*index);
  indexer_ = std::make_unique<search::Indexer>(store_.get(), index_.get());
  // Repair: index what a crash left stored but unindexed.
  if (auto caught = indexer_->CatchUp(); !caught.ok()) return caught.status();
  // The store write is durable and acknowledged whatever happens here.
  store_->SetRecordsStoredHook([this] { CatchUpSearch(); });
  return absl::OkStatus();
}

void Node::CatchUpSearch() const {
  // A failure leaves the index behind; the next write or search retries.
  if (auto caught = indexer_->CatchUp(); !caught.ok()) {
    std::fprintf(stderr, "aisafe: the search index is behind the store (%s); the next write or search retries\n",
                 std::string(caught.status().message()).c_str());
  }
}

absl::StatusOr<search::SearchResult> Node::Search(const search::SearchRequest& request) const {
  CatchUpSearch();
  return index_->Search(request);
}

absl::StatusOr<uint64_t> Node::Reindex(const search::IndexProgress& progress) {
  // Build beside the live index, then swap, so searches see the old index
  // until the new one is complete; a crash leaves search.new, removed here.
  std::string fresh_dir = Path(dir_, kSearchRebuildDir);
  std::error_code ec;
  std::filesystem::remove_all(fresh_dir, ec);
  if (ec) return absl::InternalError(util::StrCat(fresh_dir, ": ", ec.message()));
  uint64_t indexed = 0;
  {
    auto fresh = search::OpenXapianIndex(fresh_dir, config_.name);
    if (!fresh.ok()) return fresh.status();
    search::Indexer builder(store_.get(), fresh->get());
    auto built = builder.CatchUp(progress);
    if (!built.ok()) return built.status();
    indexed = *built;
  }
  std::string live_dir = Path(dir_, kSearchDir);
  if (auto st = util::ReplaceDirectory(fresh_dir, live_dir); !st.ok()) return st;
  auto index = search::OpenXapianIndex(live_dir, config_.name);
  if (!index.ok()) return index.status();
  auto indexer = std::make_unique<search::Indexer>(store_.get(), index->get());
  indexer_.swap(indexer);
  index_.swap(*index);
  // Records stored while the rebuild ran.
  auto caught = indexer_->CatchUp();
  if (!caught.ok()) return caught.status();
  return indexed + *caught;
}

}  // namespace aisafe::node
