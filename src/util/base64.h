// Standard base64 (RFC 4648 section 4, with padding), as C2SP signed notes
// and verifier keys use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aisafe::util {

std::string Base64Encode(std::string_view bytes);

// Strict: rejects missing padding, whitespace and non-alphabet characters.
std::optional<std::string> Base64Decode(std::string_view text);

// URL-safe alphabet without padding, for opaque cursors.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace aisafe::util
