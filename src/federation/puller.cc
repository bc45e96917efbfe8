#include "federation/puller.h"

#include <future>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "auth/auth.h"
#include "federation/feed.h"
#include "federation/http_signature.h"
#include "log/checkpoint.h"
#include "log/note.h"
#include "records/json.h"
#include "records/normalize.h"
#include "records/record.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::federation {

using Json = nlohmann::json;

namespace {

// A refusal: its class (for metrics) and its reason (for people).
struct Refusal {
  std::string kind;
  std::string detail;
};

std::string BodyMessage(const ClientResponse& r) {
  // Problem details carry "detail"; anything else is shown as is, cut short.
  Json doc = Json::parse(r.body, nullptr, false);
  if (doc.is_object() && doc.contains("detail") && doc["detail"].is_string()) return doc["detail"].get<std::string>();
  return r.body.substr(0, 200);
}

std::vector<std::string> Audience(const Json& record) {
  std::vector<std::string> out;
  auto it = record.find("audience");
  if (it == record.end() || !it->is_array()) return out;
  for (const Json& n : *it) {
    if (n.is_string()) out.push_back(n.get<std::string>());
  }
  return out;
}

}  // namespace

struct Puller::Impl {
  // A verified page, owning what its store::NewRecords point into, so it
  // can be stored on another thread while the next page is verified.
  struct Fields {
    std::string type, origin, tlp, created;
    int64_t created_us;
    std::vector<std::string> countries;
  };
  struct PageData {
    store::PulledPage pulled;
    std::vector<std::string> canonicals;
    std::vector<Fields> fields;
  };

  Puller& p;
  const store::Peer& peer;
  HttpClient client;
  keys::Verifier peer_key;
  std::string base_path;
  PeerSyncReport report;
  std::set<int64_t> noted_alerts;
  // Checkpoints observed as unproven, to settle with their origins.
  std::vector<log::SignedCheckpoint> unproven;

  node::Node& Node() { return *p.node_; }
  const std::string& Self() { return p.node_->config().name; }

  absl::StatusOr<ClientResponse> SignedGet(HttpClient& c, const std::string& base, const std::string& path,
                                           const std::string& query) {
    std::string full = base + path;
    SignatureHeaders sig = SignRequest(Node().signer(), "GET", full, query, Node().clock().Now());
    ClientRequest req;
    req.method = "GET";
    req.target = query.empty() ? path : util::StrCat(path, "?", query);
    req.headers = {{"Date", sig.date},
                   {"Signature-Input", sig.signature_input},
                   {"Signature", sig.signature},
                   {"Accept", "application/json"}};
    return c.Send(req);
  }

  void Refuse(const Refusal& r, uint64_t records) {
    report.rejected += records;
    report.problems.push_back(util::StrCat(peer.name, ": page refused (", r.kind, "): ", r.detail));
    if (p.observer_.on_rejected) p.observer_.on_rejected(peer.name, r.kind, r.detail);
  }

  void NoteSplit(const std::string& origin, const std::string& reason, int64_t alert_id) {
    // The page and the gossip that follows may find the same alert.
    if (!noted_alerts.insert(alert_id).second) return;
    ++report.split_views;
    report.problems.push_back(util::StrCat("split view of ", origin, ": ", reason));
    if (p.observer_.on_split_view) p.observer_.on_split_view(origin, reason);
  }

  // Raises a split view this round found without the witness (a peer that
  // cannot show a consistency proof it owes).
  absl::Status RaiseSplit(const std::string& origin, const std::string& first, const std::string& second,
                          std::string reason, std::string source) {
    store::SplitView alert;
    alert.origin = origin;
    alert.first = OriginSignedNote(first, origin);
    alert.second = OriginSignedNote(second, origin);
    alert.reason = std::move(reason);
    alert.source = std::move(source);
    alert.raised_us = absl::ToUnixMicros(Node().clock().Now());
    auto id = Node().store().RaiseSplitView(alert);
    if (!id.ok()) return id.status();
    NoteSplit(origin, alert.reason, *id);
    return absl::OkStatus();
  }

  // The member key of `origin`, if it is a member other than this node.
  absl::StatusOr<std::optional<keys::Verifier>> MemberKey(const std::string& origin) {
    if (origin == Self()) return std::nullopt;
    auto m = Node().store().GetMember(origin);
    if (!m.ok()) return m.status();
    if (!*m) return std::nullopt;
    auto key = keys::ParseVerifierKey((*m)->vkey);
    if (!key.ok()) return absl::InternalError(util::StrCat("member ", origin, " has an unusable key"));
    return *key;
  }

  // Checks a decoded page; fills `out` with what to store.
  absl::StatusOr<std::optional<Refusal>> Verify(const FeedPage& page, log::SignedCheckpoint* sender_cp,
                                                std::vector<std::optional<log::SignedCheckpoint>>* origin_cps,
                                                PageData* data) {
    store::PulledPage* out = &data->pulled;
    std::vector<std::string>* canonicals = &data->canonicals;
    std::vector<Fields>& fields = data->fields;
    if (page.sender != peer.name) {
      return Refusal{"page", util::StrCat("sender is \"", page.sender, "\", not the peer \"", peer.name, "\"")};
    }
    auto cp = log::OpenCheckpoint(page.checkpoint, peer_key, peer.name);
    if (!cp.ok()) return Refusal{"signature", util::StrCat("/checkpoint: ", cp.status().message())};
    *sender_cp = *cp;
    for (size_t k = 0; k < page.origin_checkpoints.size(); ++k) {
      std::string at = util::StrCat("/origin_checkpoints/", k);
      auto note = log::ParseNote(page.origin_checkpoints[k]);
      if (!note.ok()) return Refusal{"page", util::StrCat(at, ": ", note.status().message())};
      auto body = log::ParseCheckpoint(note->text);
      if (!body.ok()) return Refusal{"page", util::StrCat(at, ": ", body.status().message())};
      if (body->origin == peer.name) {
        return Refusal{"origin", util::StrCat(at, ": the peer's own checkpoint is not a relayed origin's")};
      }
      auto key = MemberKey(body->origin);
      if (!key.ok()) return key.status();
      if (!*key) {
        // Not a member here (or this node itself): this node does not take
        // that origin's records, which is its choice, not the sender's lie.
        origin_cps->push_back(std::nullopt);
        continue;
      }
      auto opened = log::OpenCheckpoint(page.origin_checkpoints[k], **key, body->origin);
      if (!opened.ok()) return Refusal{"signature", util::StrCat(at, ": ", opened.status().message())};
      origin_cps->push_back(std::move(*opened));
    }
    out->peer = peer.name;
    out->next_cursor = page.next_cursor;
    canonicals->reserve(page.entries.size());
    absl::flat_hash_map<size_t, size_t> out_checkpoint;  // page position (+1 for relays; 0 = sender) -> out position
    size_t max_bytes = Node().config().max_record_bytes;
    for (size_t i = 0; i < page.entries.size(); ++i) {
      const FeedEntry& e = page.entries[i];
      std::string at = util::StrCat("/entries/", i);
      // Records are hashed in NFC; one that is not was never a record.
      if (!records::IsNfcDocument(e.record)) {
        return Refusal{"record", util::StrCat(at, "/record: not NFC-normalised text")};
      }
      std::vector<records::Violation> violations;
      std::optional<records::Record> rec = records::MakeRecord(e.record, max_bytes, &violations);
      if (!rec) {
        std::string why =
            violations.empty() ? std::string("invalid") : violations.front().pointer + " " + violations.front().message;
        return Refusal{"record", util::StrCat(at, "/record: not a valid record: ", why)};
      }
      const log::SignedCheckpoint* against = sender_cp;
      uint64_t index = e.index;
      const std::vector<log::Hash>* proof = &e.proof;
      size_t key = 0;
      if (e.relay) {
        if (!(*origin_cps)[e.relay->checkpoint]) {
          ++report.skipped;
          continue;
        }
        against = &*(*origin_cps)[e.relay->checkpoint];
        index = e.relay->index;
        proof = &e.relay->proof;
        key = e.relay->checkpoint + 1;
        if (rec->origin != against->checkpoint.origin) {
          return Refusal{"origin", util::StrCat(at, "/record/origin: \"", rec->origin,
                                                "\" is not the origin of its relay checkpoint \"",
                                                against->checkpoint.origin, "\"")};
        }
      } else if (rec->origin != peer.name) {
        return Refusal{"origin", util::StrCat(at, "/record/origin: \"", rec->origin, "\" is not the sender \"",
                                              peer.name, "\" and the record comes without its origin's proof")};
      }
      std::string_view entry(reinterpret_cast<const char*>(rec->id.data()), rec->id.size());
      if (index >= against->checkpoint.size) {
        return Refusal{"proof", util::StrCat(at, ": index ", index, " is beyond the checkpoint's size ",
                                             against->checkpoint.size)};
      }
      if (auto st = log::VerifyInclusion(index, against->checkpoint.size, log::LeafHash(entry), *proof,
                                         against->checkpoint.root);
          !st.ok()) {
        return Refusal{"proof",
                       util::StrCat(at, ": record ", util::ToHex(rec->id), " is not in ", against->checkpoint.origin,
                                    "'s log at index ", index, ": ", st.message())};
      }
      if (!auth::MayFederate(rec->tlp, Audience(e.record), rec->origin, peer.name, Self())) {
        std::string why = rec->tlp == records::Tlp::kRed ? "a red record never leaves its origin"
                          : rec->tlp == records::Tlp::kClear || rec->tlp == records::Tlp::kGreen
                              ? "a record of this node's own origin"
                          : e.relay ? "amber records are never relayed"
                                    : "this node is not in the record's audience";
        return Refusal{"policy", util::StrCat(at, ": ", util::ToHex(rec->id), " (", records::TlpName(rec->tlp),
                                              ") may not be sent here: ", why)};
      }
      auto [it, added] = out_checkpoint.try_emplace(key, out->checkpoints.size());
      if (added) {
        store::ForeignCheckpoint f;
        f.origin = against->checkpoint.origin;
        f.size = against->checkpoint.size;
        f.root = against->checkpoint.root;
        f.note = against->note;
        f.source = util::StrCat(e.relay ? "relay:" : "peer:", peer.name);
        f.seen_us = absl::ToUnixMicros(Node().clock().Now());
        out->checkpoints.push_back(std::move(f));
      }
      canonicals->push_back(std::move(rec->canonical));
      store::PulledPage::Received r;
      r.record.id = rec->id;
      r.record.type = "";  // Filled below, once `canonicals` stops moving.
      r.checkpoint = it->second;
      r.origin_index = index;
      r.proof = *proof;
      out->records.push_back(std::move(r));
      // Keep the fields the store indexes.
      fields.push_back(Fields{std::move(rec->type), std::move(rec->origin), std::string(records::TlpName(rec->tlp)),
                              std::move(rec->created), absl::ToUnixMicros(rec->created_time),
                              std::move(rec->countries)});
    }
    for (size_t i = 0; i < out->records.size(); ++i) {
      store::NewRecord& n = out->records[i].record;
      n.canonical = (*canonicals)[i];
      n.type = fields[i].type;
      n.origin = fields[i].origin;
      n.tlp = fields[i].tlp;
      n.created = fields[i].created;
      n.created_us = fields[i].created_us;
      n.countries = fields[i].countries;
    }
    return std::nullopt;
  }

  // Observes a checkpoint; false (and the alert noted) on a split view.
  absl::StatusOr<bool> Observe(const log::SignedCheckpoint& cp, const std::string& source,
                               const std::optional<ConsistencyEvidence>& evidence) {
    auto seen = p.witness_.Observe(cp, source, evidence);
    if (!seen.ok()) return seen.status();
    if (seen->kind == Observation::Kind::kSplitView) {
      NoteSplit(cp.checkpoint.origin, seen->reason, seen->alert_id);
      return false;
    }
    if (seen->kind == Observation::Kind::kUnproven) unproven.push_back(cp);
    return true;
  }

  // One page; false when the round must stop.
  // Asks for the page after `cursor`.
  absl::StatusOr<ClientResponse> Fetch(const std::string& cursor) {
    auto held = Node().store().GetWitnessed(peer.name);
    if (!held.ok()) return held.status();
    // `to` binds the signed request to this peer (docs/federation.md).
    std::string query = util::StrCat("limit=", p.options_.page_limit, "&to=", peer.name);
    if (!cursor.empty()) util::StrAppend(&query, "&cursor=", cursor);
    if (*held) util::StrAppend(&query, "&have=", (*held)->checkpoint.size);
    auto resp = SignedGet(client, base_path, "/v1/federation/feed", query);
    if (!resp.ok()) return resp.status();
    if (resp->status != 200) {
      return absl::UnavailableError(util::StrCat("feed answered ", resp->status, ": ", BodyMessage(*resp)));
    }
    return resp;
  }

  // The next page, asked for while this one is verified and stored: the
  // peer builds it and the network carries it meanwhile.
  std::optional<std::future<absl::StatusOr<ClientResponse>>> prefetch;

  // One page (fetched already, or now); false when the round must stop.
  absl::StatusOr<bool> Page(std::string* cursor) {
    absl::StatusOr<ClientResponse> resp = prefetch ? prefetch->get() : absl::StatusOr<ClientResponse>(Fetch(*cursor));
    prefetch.reset();
    if (!resp.ok()) return resp.status();
    auto page = DecodeFeedPage(resp->body);
    if (!page.ok()) {
      Refuse({"page", std::string(page.status().message())}, 0);
      return absl::DataLossError(util::StrCat("malformed feed page: ", page.status().message()));
    }
    bool cancelled = p.options_.cancel && p.options_.cancel->load();
    if (page->more && page->next_cursor != *cursor && !cancelled) {
      prefetch = std::async(std::launch::async, [this, next = page->next_cursor] { return Fetch(next); });
    }
    log::SignedCheckpoint sender_cp;
    std::vector<std::optional<log::SignedCheckpoint>> origin_cps;
    auto data = std::make_unique<PageData>();
    auto refusal = Verify(*page, &sender_cp, &origin_cps, data.get());
    if (!refusal.ok()) return refusal.status();
    if (*refusal) {
      // Not counted in the peer's stored total here: SetPeerSyncResult adds
      // the round's refusals once.
      Refuse(**refusal, page->entries.size());
      return absl::DataLossError(util::StrCat("page refused: ", (*refusal)->detail));
    }
    // Every origin of the page must be free of alerts, and every
    // checkpoint must pass the witness, before anything is stored.
    std::vector<const log::SignedCheckpoint*> all = {&sender_cp};
    for (const auto& c : origin_cps) {
      if (c) all.push_back(&*c);
    }
    for (const log::SignedCheckpoint* c : all) {
      auto blocked = p.witness_.Blocked(c->checkpoint.origin);
      if (!blocked.ok()) return blocked.status();
      if (*blocked) {
        std::string why = util::StrCat("an open split-view alert stops accepting from ", c->checkpoint.origin,
                                       " until a human clears it (aisafe peer clear)");
        Refuse({"split_view", why}, page->entries.size());
        return absl::FailedPreconditionError(why);
      }
    }
    std::optional<ConsistencyEvidence> evidence;
    if (page->consistency) {
      evidence =
          ConsistencyEvidence{page->consistency->old_size, page->consistency->new_size, page->consistency->proof};
    }
    auto held = Node().store().GetWitnessed(peer.name);
    if (!held.ok()) return held.status();
    bool ok = true;
    auto sender_ok = Observe(sender_cp, util::StrCat("peer:", peer.name), evidence);
    if (!sender_ok.ok()) return sender_ok.status();
    ok = *sender_ok;
    // A held size beyond the sender's log gets no proof: the sender signed
    // a tree it can no longer show.
    if (ok && *held && (*held)->checkpoint.size > sender_cp.checkpoint.size && !page->consistency) {
      if (auto st = RaiseSplit(peer.name, (*held)->checkpoint.note, sender_cp.note,
                               util::StrCat(peer.name, " now serves size ", sender_cp.checkpoint.size,
                                            " after signing size ", (*held)->checkpoint.size, " and cannot prove it"),
                               util::StrCat("peer:", peer.name));
          !st.ok()) {
        return st;
      }
      ok = false;
    }
    for (size_t k = 0; ok && k < origin_cps.size(); ++k) {
      if (!origin_cps[k]) continue;
      auto r = Observe(*origin_cps[k], util::StrCat("relay:", peer.name), std::nullopt);
      if (!r.ok()) return r.status();
      ok = *r;
    }
    // Checkpoints whose consistency with ours is unknown are settled with
    // their origins (when they are peers) before the page is kept.
    if (ok && !unproven.empty()) {
      uint64_t before = report.split_views;
      if (auto st = Settle(); !st.ok()) return st;
      ok = report.split_views == before;
    }
    if (!ok) {
      Refuse({"split_view", "a checkpoint of the page contradicts one this node holds"}, page->entries.size());
      return absl::FailedPreconditionError("split view");
    }
    data->pulled.peer = peer.name;
    // Pages are stored in order, each with its cursor: the previous one
    // first, then this one on its own thread while the next is verified.
    if (auto st = Drain(); !st.ok()) return st;
    storing = std::async(std::launch::async, [this, d = std::move(data)] {
      return Node().store().ApplyPulledPage(d->pulled, &Node().checkpoint_signer());
    });
    bool progressed = page->next_cursor != *cursor;
    *cursor = page->next_cursor;
    return page->more && progressed;
  }

  // The page being stored, if any.
  std::optional<std::future<absl::StatusOr<uint64_t>>> storing;

  // Waits for the page being stored and counts it.
  absl::Status Drain() {
    if (!storing) return absl::OkStatus();
    absl::StatusOr<uint64_t> stored = storing->get();
    storing.reset();
    if (!stored.ok()) return stored.status();
    ++report.pages;
    report.received += *stored;
    if (p.observer_.on_stored && *stored > 0) p.observer_.on_stored(peer.name, *stored);
    return absl::OkStatus();
  }

  // Reads the peer's witness view and observes its checkpoints of members.
  absl::Status Gossip() {
    auto resp = SignedGet(client, base_path, "/v1/federation/witness", "");
    if (!resp.ok()) return resp.status();
    if (resp->status != 200) return absl::UnavailableError(util::StrCat("witness view answered ", resp->status));
    Json doc = Json::parse(resp->body, nullptr, false);
    if (!doc.is_object() || !doc.contains("checkpoints") || !doc["checkpoints"].is_array()) {
      return absl::DataLossError("malformed witness view");
    }
    for (const Json& item : doc["checkpoints"]) {
      if (!item.is_object() || !item.contains("checkpoint") || !item["checkpoint"].is_string()) continue;
      const std::string& note = item["checkpoint"].get_ref<const std::string&>();
      auto parsed = log::ParseNote(note);
      if (!parsed.ok()) continue;
      auto body = log::ParseCheckpoint(parsed->text);
      if (!body.ok()) continue;
      auto key = MemberKey(body->origin);
      if (!key.ok()) return key.status();
      if (!*key) continue;  // Not a member we know: not ours to judge.
      auto cp = log::OpenCheckpoint(note, **key, body->origin);
      if (!cp.ok()) continue;  // Not validly signed by the origin: no evidence of anything.
      auto r = Observe(*cp, util::StrCat("gossip:", peer.name), std::nullopt);
      if (!r.ok()) return r.status();
    }
    return absl::OkStatus();
  }

  // Asks the origins of unproven checkpoints, when they are peers, for the
  // consistency proof between them and what this node witnessed.
  absl::Status Settle() {
    std::vector<log::SignedCheckpoint> pending = std::move(unproven);
    unproven.clear();
    for (const log::SignedCheckpoint& cp : pending) {
      const std::string& origin = cp.checkpoint.origin;
      auto origin_peer = Node().store().GetPeer(origin);
      if (!origin_peer.ok()) return origin_peer.status();
      auto held = Node().store().GetWitnessed(origin);
      if (!held.ok()) return held.status();
      if (!*origin_peer || !*held) continue;
      uint64_t lo = std::min(cp.checkpoint.size, (*held)->checkpoint.size);
      uint64_t hi = std::max(cp.checkpoint.size, (*held)->checkpoint.size);
      if (lo == hi) continue;
      auto url = ParseUrl((*origin_peer)->url);
      if (!url.ok()) continue;
      HttpClient c(*url, p.options_.client);
      auto resp = SignedGet(c, url->base_path, "/v1/federation/consistency", util::StrCat("old=", lo, "&new=", hi));
      if (!resp.ok()) continue;  // Unreachable now: try again next round.
      if (resp->status == 416) {
        // The origin's log is smaller than a size signed with its key.
        if (auto st = RaiseSplit(origin, (*held)->checkpoint.note, cp.note,
                                 util::StrCat(origin, " cannot prove consistency between sizes ", lo, " and ", hi,
                                              " of checkpoints signed with its key: its log is smaller"),
                                 util::StrCat("origin:", origin));
            !st.ok()) {
          return st;
        }
        continue;
      }
      if (resp->status != 200) continue;
      Json doc = Json::parse(resp->body, nullptr, false);
      if (!doc.is_object() || !doc.contains("proof")) continue;
      auto proof = HashesFromJson(doc["proof"], "/proof");
      if (!proof.ok()) continue;
      auto r = Observe(cp, util::StrCat("origin:", origin), ConsistencyEvidence{lo, hi, std::move(*proof)});
      if (!r.ok()) return r.status();
    }
    return absl::OkStatus();
  }
};

Puller::Puller(node::Node* node, SyncOptions options, SyncObserver observer)
    : node_(node),
      options_(std::move(options)),
      observer_(std::move(observer)),
      witness_(&node->store(), &node->signer(), &node->clock()) {}

PeerSyncReport Puller::SyncPeer(const std::string& name) {
  PeerSyncReport report;
  report.peer = name;
  auto peer = node_->store().GetPeer(name);
  if (!peer.ok() || !*peer) {
    report.status = peer.ok() ? absl::NotFoundError(util::StrCat("no peer named ", name)) : peer.status();
    return report;
  }
  auto member = node_->store().GetMember(name);
  auto url = ParseUrl((*peer)->url);
  if (!member.ok() || !*member || !url.ok()) {
    report.status = !url.ok() ? url.status() : absl::InternalError(util::StrCat("peer ", name, " is not a member"));
    return report;
  }
  auto key = keys::ParseVerifierKey((*member)->vkey);
  if (!key.ok()) {
    report.status = key.status();
    return report;
  }
  Impl impl{*this, **peer, HttpClient(*url, options_.client), *key, url->base_path, {}, {}, {}, {}, {}};
  impl.report.peer = name;
  std::string cursor = (*peer)->cursor;
  absl::Status st;
  while (true) {
    auto more = impl.Page(&cursor);
    if (!more.ok()) {
      st = more.status();
      break;
    }
    if (!*more) break;
    if (options_.cancel && options_.cancel->load()) {
      st = absl::CancelledError("stopped");
      break;
    }
  }
  // A page asked for ahead of a refused one is dropped; the client is free
  // again once it has arrived.
  if (impl.prefetch) impl.prefetch->wait();
  impl.prefetch.reset();
  // The last verified page is stored even if a later one was refused.
  if (absl::Status d = impl.Drain(); !d.ok() && st.ok()) st = d;
  // What was stored is covered by a checkpoint now, so it can be proven
  // (and relayed) at once; one signature per round bounds the signing.
  if (impl.report.received > 0) {
    if (auto cp = node_->store().Checkpoint(node_->checkpoint_signer()); !cp.ok() && st.ok()) st = cp.status();
  }
  // The witness view and settling are worth doing even after a refused
  // page: they are how a split view comes to light.
  bool cancelled = options_.cancel && options_.cancel->load();
  if (!cancelled) {
    if (absl::Status g = impl.Gossip(); !g.ok() && st.ok()) st = g;
    if (absl::Status s = impl.Settle(); !s.ok() && st.ok()) st = s;
  }
  if (st.ok() && impl.report.split_views > 0) {
    st = absl::FailedPreconditionError(util::StrCat(impl.report.split_views, " split-view alert(s) raised"));
  }
  (void)node_->store().SetPeerSyncResult(name, absl::ToUnixMicros(node_->clock().Now()),
                                         st.ok() ? "" : std::string(st.message()), impl.report.rejected);
  impl.report.status = st;
  return std::move(impl.report);
}

std::vector<PeerSyncReport> Puller::SyncAll() {
  std::vector<PeerSyncReport> out;
  auto peers = node_->store().ListPeers();
  if (!peers.ok()) {
    PeerSyncReport r;
    r.status = peers.status();
    out.push_back(std::move(r));
    return out;
  }
  for (const store::Peer& peer : *peers) out.push_back(SyncPeer(peer.name));
  return out;
}

}  // namespace aisafe::federation
