#include "records/canonical.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "util/strings.h"

namespace aisafe::records {
namespace {

using Json = nlohmann::json;

constexpr int64_t kMaxExactInteger = int64_t{1} << 53;

// Escapes are rare in record text: copy runs of ordinary bytes whole and
// escape only '"', '\\' and controls.
void AppendString(const std::string& s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    const char* run = p;
    while (p < end && static_cast<unsigned char>(*p) >= 0x20 && *p != '"' && *p != '\\') ++p;
    out->append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    auto c = static_cast<unsigned char>(*p++);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->push_back('"');
}

// UTF-16 code units of a valid UTF-8 string.
std::u16string ToUtf16(const std::string& s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    int len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if (c < 0xE0) {
      cp = c & 0x1F;
      len = 2;
    } else if (c < 0xF0) {
      cp = c & 0x0F;
      len = 3;
    } else {
      cp = c & 0x07;
      len = 4;
    }
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

bool IsAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

absl::Status Append(const Json& v, std::string* out) {
  switch (v.type()) {
    case Json::value_t::null:
      out->append("null");
      return absl::OkStatus();
    case Json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      return absl::OkStatus();
    case Json::value_t::number_integer: {
      int64_t n = v.get<int64_t>();
      if (n > kMaxExactInteger || n < -kMaxExactInteger) {
        return absl::InvalidArgumentError(util::StrCat("integer ", n, " is outside the exact range of I-JSON (±2^53)"));
      }
      util::StrAppend(out, n);
      return absl::OkStatus();
    }
    case Json::value_t::number_unsigned: {
      uint64_t n = v.get<uint64_t>();
      if (n > static_cast<uint64_t>(kMaxExactInteger)) {
        return absl::InvalidArgumentError(util::StrCat("integer ", n, " is outside the exact range of I-JSON (±2^53)"));
      }
      util::StrAppend(out, n);
      return absl::OkStatus();
    }
    case Json::value_t::number_float: {
      double d = v.get<double>();
      if (!std::isfinite(d)) return absl::InvalidArgumentError("non-finite number");
      AppendEcmaNumber(d, out);
      return absl::OkStatus();
    }
    case Json::value_t::string:
      AppendString(v.get_ref<const std::string&>(), out);
      return absl::OkStatus();
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& e : v) {
        if (!first) out->push_back(',');
        first = false;
        if (auto st = Append(e, out); !st.ok()) return st;
      }
      out->push_back(']');
      return absl::OkStatus();
    }
    case Json::value_t::object: {
      // nlohmann keeps members in std::map order, i.e. by UTF-8 bytes, which
      // equals UTF-16 order unless a name holds characters above U+FFFF
      // alongside U+E000..U+FFFF. Re-sort by UTF-16 only when needed.
      std::vector<Json::const_iterator> members;
      members.reserve(v.size());
      bool ascii = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        members.push_back(it);
        ascii = ascii && IsAscii(it.key());
      }
      if (!ascii) {
        std::stable_sort(members.begin(), members.end(),
                         [](auto a, auto b) { return ToUtf16(a.key()) < ToUtf16(b.key()); });
      }
      out->push_back('{');
      bool first = true;
      for (auto it : members) {
        if (!first) out->push_back(',');
        first = false;
        AppendString(it.key(), out);
        out->push_back(':');
        if (auto st = Append(it.value(), out); !st.ok()) return st;
      }
      out->push_back('}');
      return absl::OkStatus();
    }
    case Json::value_t::binary:
    case Json::value_t::discarded:
      break;
  }
  return absl::InvalidArgumentError("value cannot be represented in JSON");
}

}  // namespace

void AppendEcmaNumber(double value, std::string* out) {
  if (value == 0) {  // Both +0 and -0.
    out->push_back('0');
    return;
  }
  if (value < 0) {
    out->push_back('-');
    value = -value;
  }
  // Shortest round-trip digits, in scientific form "d.ddde±x".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp10 = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  // ECMAScript: value = 0.d1d2...dk × 10^n, with n = exp10 + 1.
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out->append(digits);
    out->append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out->append(digits, 0, static_cast<size_t>(n));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-n), '0');
    out->append(digits);
  } else {
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits, 1);
    }
    out->push_back('e');
    out->push_back(n - 1 >= 0 ? '+' : '-');
    util::StrAppend(out, std::abs(n - 1));
  }
}

absl::StatusOr<std::string> Canonicalize(const nlohmann::json& value) {
  std::string out;
  out.reserve(1024);
  if (auto st = Append(value, &out); !st.ok()) return st;
  return out;
}

}  // namespace aisafe::records
