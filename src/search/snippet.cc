#include "search/snippet.h"

#include <vector>

#include "text/analyzer.h"

namespace aisafe::search {
namespace {

constexpr std::string_view kEllipsis = "…";

struct Span {
  size_t begin, end;
  bool match;
};

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Snippet MakeSnippet(std::string_view text, const std::function<bool(std::string_view term)>& matches,
                    size_t max_bytes) {
  std::vector<Span> words;
  text::ForEachWord(text, [&](const text::Word& w) { words.push_back({w.begin, w.end, matches(w.term)}); });
  // Best window: the most matches among words that fit in max_bytes.
  size_t best_first = 0, best_count = 0;
  size_t count = 0;
  for (size_t first = 0, last = 0; first < words.size(); ++first) {
    if (last < first) {
      last = first;
      count = 0;
    }
    while (last < words.size() && words[last].end - words[first].begin <= max_bytes) {
      count += words[last].match;
      ++last;
    }
    if (count > best_count) {
      best_count = count;
      best_first = first;
    }
    if (last > first) count -= words[first].match;
  }
  size_t begin = 0, end = text.size();
  auto char_boundary = [&](size_t at) {
    while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
    return at;
  };
  if (!words.empty()) {
    // Start at the window's first match, with up to three words before it
    // (within the window) so it is read in context; the window's other
    // matches follow it, so they stay in.
    size_t first = best_first;
    if (best_count > 0) {
      size_t match = best_first;
      while (!words[match].match) ++match;
      first = match;
      for (int back = 0; back < 3 && first > best_first && words[match].begin - words[first - 1].begin < max_bytes / 3;
           ++back) {
        --first;
      }
    }
    begin = first == 0 ? 0 : words[first].begin;
    size_t last = first;
    while (last + 1 < words.size() && words[last + 1].end - begin <= max_bytes) ++last;
    end = (last + 1 == words.size()) ? text.size() : words[last].end;
    if (last + 1 == words.size()) {
      // The text's end is reached with room to spare: use it before.
      while (first > 0 && text.size() - words[first - 1].begin <= max_bytes) --first;
      begin = first == 0 ? 0 : words[first].begin;
    }
    // One word longer than the snippet (a URL, a hash): cut it.
    if (end - begin > max_bytes + 64) end = char_boundary(begin + max_bytes);
  } else if (text.size() > max_bytes) {
    end = char_boundary(max_bytes);
  }
  if (end > text.size()) end = text.size();
  Snippet s;
  if (begin > 0) {
    s.text += kEllipsis;
    s.html += kEllipsis;
  }
  size_t pos = begin;
  for (const Span& w : words) {
    if (w.begin < begin || w.end > end || !w.match) continue;
    s.text.append(text.substr(pos, w.end - pos));
    s.html += HtmlEscape(text.substr(pos, w.begin - pos));
    s.html += "<mark>";
    s.html += HtmlEscape(text.substr(w.begin, w.end - w.begin));
    s.html += "</mark>";
    pos = w.end;
  }
  s.text.append(text.substr(pos, end - pos));
  s.html += HtmlEscape(text.substr(pos, end - pos));
  if (end < text.size()) {
    s.text += kEllipsis;
    s.html += kEllipsis;
  }
  return s;
}

}  // namespace aisafe::search
