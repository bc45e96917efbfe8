// Lowercase hexadecimal encoding, as used for record ids and nonces.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/sha256.h"

namespace aisafe::util {

std::string ToHex(std::string_view bytes);
std::string ToHex(const Digest& digest);

// Decodes lowercase or uppercase hex; nullopt on odd length or a non-hex
// character.
std::optional<std::string> FromHex(std::string_view hex);

// Parses exactly 64 lowercase hex characters into a digest.
std::optional<Digest> DigestFromHex(std::string_view hex);

}  // namespace aisafe::util
