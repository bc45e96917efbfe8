#include "records/json.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "util/strings.h"

namespace aisafe::records {
namespace {

using Json = nlohmann::json;

// nlohmann's messages start with "[json.exception.parse_error.101] parse
// error at "; keep what follows, which names line and column.
std::string CleanMessage(const char* what) {
  std::string_view msg(what);
  if (auto pos = msg.find("parse error at "); pos != std::string_view::npos) {
    msg.remove_prefix(pos + std::string_view("parse error at ").size());
  } else if (auto br = msg.find("] "); br != std::string_view::npos) {
    msg.remove_prefix(br + 2);
  }
  return std::string(msg);
}

// Parser messages quote the input ("last read: '...'"), which may be the
// invalid UTF-8 being reported; show such bytes as \xNN so the message
// itself is valid UTF-8.
std::string Printable(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= in.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) >> 6) == 2;
    if (ok && (c >= 0x20 || c == '\t')) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      ++i;
    }
  }
  return out;
}

// Line and column (1-based) of byte offset `pos` in `text`.
std::string Where(std::string_view text, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return util::StrCat("line ", line, ", column ", col);
}

}  // namespace

absl::StatusOr<Json> ParseJson(std::string_view text) {
  // Per open object, the member names seen so far.
  std::vector<absl::flat_hash_set<std::string>> names;
  // The first repeated name; "" is a name too, so absence is nullopt.
  std::optional<std::string> duplicate;
  auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        names.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        names.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!names.back().insert(parsed.get_ref<const std::string&>()).second && !duplicate) {
          duplicate = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  try {
    Json doc = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                           /*ignore_comments=*/false);
    if (duplicate) {
      return absl::InvalidArgumentError(
          util::StrCat("duplicate member name \"", *duplicate, "\" (I-JSON forbids duplicates)"));
    }
    return doc;
  } catch (const Json::parse_error& e) {
    std::string msg = Printable(CleanMessage(e.what()));
    if (e.byte > text.size()) {
      msg = util::StrCat(Where(text, text.size()), ": unexpected end of input (truncated?)");
    } else if (msg.find("line ") != 0) {
      msg = util::StrCat(Where(text, e.byte == 0 ? 0 : e.byte - 1), ": ", msg);
    }
    return absl::InvalidArgumentError(util::StrCat("invalid JSON: ", msg));
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(util::StrCat("invalid JSON: ", Printable(CleanMessage(e.what()))));
  }
}

}  // namespace aisafe::records
