#include "node/submitter.h"

#include <algorithm>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "records/canonical.h"
#include "records/json.h"
#include "records/normalize.h"
#include "util/hex.h"
#include "util/random.h"
#include "util/strings.h"

namespace aisafe::node {
namespace {

using Json = nlohmann::json;
using records::Violation;

std::string Prefix(std::string_view source, size_t line) {
  return line == 0 ? util::StrCat(source, ": ") : util::StrCat(source, ":", line, ": ");
}

// Below this many documents, threads cost more than they save.
constexpr size_t kMinParallelDocs = 64;

// Documents prepared between two progress reports.
constexpr size_t kProgressBlock = 2000;

}  // namespace

Submitter::Submitter(SubmitterOptions options, store::Store* store, const util::Clock* clock,
                     const store::CheckpointSigner* signer)
    : options_(std::move(options)), store_(store), clock_(clock), signer_(signer) {}

bool Submitter::PrepareOne(const InputDoc& in, Prepared* out, std::vector<Violation>* violations) const {
  out->line = in.line;
  if (in.text.size() > options_.max_record_bytes) {
    violations->push_back(
        {"", util::StrCat("record is ", in.text.size(), " bytes; the limit is ", options_.max_record_bytes)});
    return false;
  }
  auto parsed = records::ParseJson(in.text);
  if (!parsed.ok()) {
    violations->push_back({"", std::string(parsed.status().message())});
    return false;
  }
  Json& doc = *parsed;
  if (!doc.is_object()) {
    violations->push_back({"", "a record must be a JSON object"});
    return false;
  }
  if (auto st = records::NormalizeDocument(&doc); !st.ok()) {
    violations->push_back({"", std::string(st.message())});
    return false;
  }
  auto as_submitted = records::Canonicalize(doc);
  if (!as_submitted.ok()) {
    violations->push_back({"", std::string(as_submitted.status().message())});
    return false;
  }
  out->submission = util::Sha256(*as_submitted);

  // Fill what the node owns. A record naming another origin is refused:
  // other nodes' records arrive by federation, verified against their log.
  if (auto it = doc.find("origin"); it == doc.end()) {
    doc["origin"] = options_.origin;
  } else if (!it->is_string() || it->get_ref<const std::string&>() != options_.origin) {
    violations->push_back({"/origin", util::StrCat("names ", it->dump(), " but this node is \"", options_.origin,
                                                   "\"; records of other nodes arrive only by federation")});
  }
  if (!doc.contains("created")) doc["created"] = util::FormatTimestamp(clock_->Now());
  if (!doc.contains("nonce")) doc["nonce"] = util::ToHex(util::RandomBytes(16));

  // An origin violation above still lets the record's own checks report.
  bool origin_ok = violations->empty();
  std::optional<records::Record> record = records::MakeRecord(doc, options_.max_record_bytes, violations);
  if (!record || !origin_ok) return false;
  out->record = std::move(*record);
  return true;
}

absl::StatusOr<std::vector<Prepared>> Submitter::Prepare(std::span<const InputDoc> docs, std::string_view source,
                                                         const std::function<void(size_t)>& progress) const {
  std::vector<Prepared> prepared(docs.size());
  std::vector<std::vector<Violation>> violations(docs.size());
  std::vector<char> ok(docs.size(), 0);
  auto work = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) ok[i] = PrepareOne(docs[i], &prepared[i], &violations[i]);
  };
  size_t threads =
      options_.threads > 0 ? static_cast<size_t>(options_.threads) : std::max(1u, std::thread::hardware_concurrency());
  // Blocks let a caller show progress; each block is split across threads.
  for (size_t block = 0; block < docs.size(); block += kProgressBlock) {
    size_t block_end = std::min(docs.size(), block + kProgressBlock);
    size_t n = block_end - block;
    if (n < kMinParallelDocs || threads == 1) {
      work(block, block_end);
    } else {
      size_t t_count = std::min(threads, n);
      size_t chunk = (n + t_count - 1) / t_count;
      std::vector<std::thread> pool;
      for (size_t t = 1; t < t_count; ++t) {
        size_t b = block + t * chunk, e = std::min(block_end, b + chunk);
        if (b < e) pool.emplace_back(work, b, e);
      }
      work(block, std::min(block_end, block + chunk));
      for (auto& th : pool) th.join();
    }
    if (progress) progress(block_end);
  }

  std::vector<Violation> all;
  std::string message;
  size_t bad = 0;
  Json payload = Json::array();
  for (size_t i = 0; i < docs.size(); ++i) {
    if (ok[i]) continue;
    if (++bad > options_.max_reported) continue;
    if (!message.empty()) message += '\n';
    message += records::FormatViolations(violations[i], Prefix(source, docs[i].line));
    for (const Violation& v : violations[i]) {
      Json item = {{"pointer", v.pointer}, {"message", v.message}};
      if (docs[i].line > 0) item["line"] = docs[i].line;
      payload.push_back(std::move(item));
    }
  }
  if (bad == 0) return prepared;
  if (bad > options_.max_reported) {
    util::StrAppend(&message, "\n", source, ": ... and ", bad - options_.max_reported, " more invalid records");
  }
  util::StrAppend(&message, "\n", source, ": ", bad, " of ", docs.size(),
                  docs.size() == 1 ? " record is" : " records are", " invalid; nothing was stored");
  absl::Status st = absl::InvalidArgumentError(message);
  st.SetPayload(records::kViolationsPayload, absl::Cord(payload.dump(-1, ' ', false, Json::error_handler_t::replace)));
  return st;
}

absl::StatusOr<std::vector<SubmitResult>> Submitter::Commit(std::span<const Prepared> prepared,
                                                            std::string_view source) {
  // A record may supersede only an earlier record of its own origin: one
  // already stored, or one earlier in this batch.
  absl::flat_hash_map<records::RecordId, size_t> in_batch;
  std::string message;
  Json payload = Json::array();  // As Prepare's: the API names the field at fault.
  for (size_t i = 0; i < prepared.size(); ++i) {
    const records::Record& r = prepared[i].record;
    if (r.supersedes) {
      std::string_view found_origin;
      std::optional<store::StoredRecord> stored;
      if (auto it = in_batch.find(*r.supersedes); it != in_batch.end()) {
        found_origin = prepared[it->second].record.origin;
      } else {
        auto got = store_->Get(*r.supersedes);
        if (!got.ok()) return got.status();
        stored = std::move(*got);
        if (stored) found_origin = stored->origin;
      }
      std::string problem;
      if (found_origin.empty()) {
        problem = "names a record this node does not hold";
      } else if (found_origin != r.origin) {
        problem = util::StrCat("names a record of origin \"", found_origin,
                               "\"; a record may only supersede its own origin's records");
      }
      if (!problem.empty()) {
        if (!message.empty()) message += '\n';
        util::StrAppend(&message, Prefix(source, prepared[i].line), "/supersedes: ", problem);
        Json item = {{"pointer", "/supersedes"}, {"message", problem}};
        if (prepared[i].line > 0) item["line"] = prepared[i].line;
        payload.push_back(std::move(item));
      }
    }
    in_batch.emplace(r.id, i);
  }
  if (!message.empty()) {
    absl::Status st = absl::InvalidArgumentError(util::StrCat(message, "\nnothing was stored"));
    st.SetPayload(records::kViolationsPayload,
                  absl::Cord(payload.dump(-1, ' ', false, Json::error_handler_t::replace)));
    return st;
  }

  std::vector<store::NewRecord> batch;
  batch.reserve(prepared.size());
  for (const Prepared& p : prepared) {
    const records::Record& r = p.record;
    batch.push_back({r.id, r.canonical, r.type, r.origin, records::TlpName(r.tlp), r.created,
                     absl::ToUnixMicros(r.created_time), p.submission, r.countries});
  }
  auto outcomes = store_->PutBatch(batch, signer_);
  if (!outcomes.ok()) return outcomes.status();
  std::vector<SubmitResult> results;
  results.reserve(outcomes->size());
  for (const store::PutOutcome& o : *outcomes) results.push_back({o.id, o.inserted});
  return results;
}

absl::StatusOr<std::vector<SubmitResult>> Submitter::Submit(std::span<const InputDoc> docs, std::string_view source) {
  auto prepared = Prepare(docs, source);
  if (!prepared.ok()) return prepared.status();
  return Commit(*prepared, source);
}

std::vector<InputDoc> SplitInput(std::string_view input) {
  // Skip a UTF-8 byte order mark, which some Windows editors write.
  size_t start = input.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  std::vector<InputDoc> lines;
  size_t line_no = 1;
  for (size_t pos = start; pos <= input.size();) {
    size_t nl = input.find('\n', pos);
    size_t end = nl == std::string_view::npos ? input.size() : nl;
    std::string_view line = input.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) lines.push_back({line, line_no});
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    ++line_no;
  }
  if (lines.empty()) return lines;
  // JSON Lines if the first document is complete on its own line. Otherwise
  // a single document spread over lines.
  auto first = records::ParseJson(lines.front().text);
  if (first.ok() || lines.size() == 1) return lines;
  return {InputDoc{input.substr(start), 0}};
}

}  // namespace aisafe::node
