// Snippets: the part of a text around the words a query matched, with the
// matches marked, so a reader sees why a record was found.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace aisafe::search {

struct Snippet {
  std::string text;  // Plain text; "…" where the text was cut.
  std::string html;  // The same, HTML-escaped, each match in <mark>…</mark>.
};

// The window of at most about `max_bytes` of `text` (cut at word
// boundaries) holding the most words for which `matches(term)` is true;
// the start of the text when none match.
Snippet MakeSnippet(std::string_view text, const std::function<bool(std::string_view term)>& matches,
                    size_t max_bytes = 240);

// `text` with &, <, >, " and ' escaped.
std::string HtmlEscape(std::string_view text);

}  // namespace aisafe::search
