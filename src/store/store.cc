#include "store/store.h"

#include <cstring>

#include "util/base64.h"
#include "util/strings.h"

namespace aisafe::store {
namespace {

// Cursor format (opaque to clients): base64url of 16 bytes, created_us and
// seq as big-endian 64-bit integers, of the last record of the page.
constexpr size_t kCursorBytes = 16;

void PutBe64(uint64_t v, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

uint64_t GetBe64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

}  // namespace

std::string ReadOnlyStore::EncodeCursor(const StoredRecord& last) {
  char buf[kCursorBytes];
  PutBe64(static_cast<uint64_t>(last.created_us), buf);
  PutBe64(last.seq, buf + 8);
  return util::Base64UrlEncode(std::string_view(buf, kCursorBytes));
}

absl::StatusOr<ListPage> ReadOnlyStore::List(const ListQuery& query) const {
  if (query.limit < 1 || query.limit > 10000) {
    return absl::InvalidArgumentError(util::StrCat("limit must be between 1 and 10000, not ", query.limit));
  }
  std::optional<Position> after;
  if (!query.cursor.empty()) {
    auto raw = util::Base64UrlDecode(query.cursor);
    if (!raw || raw->size() != kCursorBytes) return absl::InvalidArgumentError("cursor is malformed");
    after = Position{static_cast<int64_t>(GetBe64(raw->data())), GetBe64(raw->data() + 8)};
  }
  return ListImpl(query, after);
}

absl::StatusOr<std::vector<PutOutcome>> Store::PutBatch(std::span<const NewRecord> batch,
                                                        const CheckpointSigner* signer) {
  static const RecordId kZero{};
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].id == kZero || batch[i].canonical.empty() || batch[i].type.empty() || batch[i].origin.empty()) {
      return absl::InvalidArgumentError(util::StrCat("batch item ", i, " is incomplete"));
    }
  }
  if (batch.empty()) return std::vector<PutOutcome>{};
  auto outcomes = PutBatchImpl(batch, signer);
  if (outcomes.ok() && records_stored_) {
    for (const PutOutcome& o : *outcomes) {
      if (o.inserted) {
        records_stored_();
        break;
      }
    }
  }
  return outcomes;
}

absl::StatusOr<uint64_t> Store::ApplyPulledPage(const PulledPage& page, const CheckpointSigner* signer) {
  auto stored = ApplyPulledPageImpl(page, signer);
  if (stored.ok() && *stored > 0 && records_stored_) records_stored_();
  return stored;
}

}  // namespace aisafe::store
