#include "records/violation.h"

#include "util/strings.h"

namespace aisafe::records {

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatViolations(const std::vector<Violation>& violations, std::string_view prefix) {
  std::string out;
  for (const Violation& v : violations) {
    if (!out.empty()) out += '\n';
    util::StrAppend(&out, prefix, v.pointer.empty() ? "(document)" : v.pointer, ": ", v.message);
  }
  return out;
}

}  // namespace aisafe::records
