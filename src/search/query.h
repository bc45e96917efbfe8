// The query language of `aisafe search` and GET /v1/search
// (docs/search.md, "Query syntax"):
//
//   deepfake scam          words; documents with more of them rank higher
//                          (every word required with match=all)
//   "lừa đảo đầu tư"       a phrase: the words in this order
//   deepfak*               words starting with a prefix
//   a AND b, a OR b        boolean operators, upper case only
//   NOT a, -a              excludes
//   ( ... )                grouping
//
// Parsing is separate from analysis: a "word" here is what the user typed
// between spaces; the backend analyses it (text/analyzer.h), and one typed
// word of Thai can be several words of the language.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace aisafe::search {

struct QueryNode {
  enum class Kind {
    kWord,     // text
    kPhrase,   // text (the words between the quotes)
    kPrefix,   // text (without the '*')
    kDefault,  // children, joined by the request's default operator
    kAnd,      // children
    kOr,       // children
    kNot,      // children[0] without children[1]; children[0] absent (kAll) for a lone NOT
    kAll,      // everything (an empty query)
  };
  Kind kind = Kind::kAll;
  std::string text;
  std::vector<QueryNode> children;
};

inline constexpr size_t kMaxQueryBytes = 4096;
inline constexpr size_t kMaxQueryWords = 64;
inline constexpr size_t kMaxQueryDepth = 16;

// Parses `q`. InvalidArgument, with a message starting "q: " that says what
// and where (1-based character position), for invalid UTF-8, a query over
// kMaxQueryBytes, more than kMaxQueryWords words, unbalanced quotes or
// parentheses, an operator without an operand, an empty phrase or prefix,
// or nesting deeper than kMaxQueryDepth. A query of exclusions only
// ("NOT a") means everything except them.
absl::StatusOr<QueryNode> ParseQuery(std::string_view q);

// For tests and logs: a Lisp-like rendering, e.g. (or (word a) (phrase "b c")).
std::string DebugString(const QueryNode& node);

}  // namespace aisafe::search
