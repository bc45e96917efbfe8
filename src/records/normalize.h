// Unicode normalisation of record text: every string in a document becomes
// NFC (ICU) before it is canonicalised and hashed, so that the same text
// typed on two keyboards has one id.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace aisafe::records {

// Normalises `text` to NFC in place. ASCII and already-NFC text is left
// untouched without allocating. InvalidArgument on invalid UTF-8.
absl::Status NormalizeNfc(std::string* text);

// Normalises every string value and member name in `doc` to NFC.
absl::Status NormalizeDocument(nlohmann::json* doc);

// Whether every string value and member name in `doc` is valid UTF-8 in NFC
// already (what NormalizeDocument would leave unchanged), without copying.
bool IsNfcDocument(const nlohmann::json& doc);

}  // namespace aisafe::records
