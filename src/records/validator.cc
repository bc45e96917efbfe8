#include "records/validator.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "records/schemas.h"
#include "util/strings.h"
#include "valijson/adapters/nlohmann_json_adapter.hpp"
#include "valijson/schema.hpp"
#include "valijson/schema_parser.hpp"
#include "valijson/validation_results.hpp"
#include "valijson/validator.hpp"

namespace aisafe::records {
namespace {

struct Compiled {
  std::map<std::string, std::unique_ptr<valijson::Schema>, std::less<>> schemas;
  std::map<std::string, nlohmann::json, std::less<>> documents;
  std::vector<std::string> types;
};

const Compiled& Schemas() {
  static const Compiled* compiled = [] {
    auto* c = new Compiled();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    for (const EmbeddedSchema& s : EmbeddedSchemas()) {
      // The schemas are part of the binary: a parse failure is a build bug.
      nlohmann::json doc = nlohmann::json::parse(s.text);
      auto schema = std::make_unique<valijson::Schema>();
      valijson::adapters::NlohmannJsonAdapter adapter(doc);
      parser.populateSchema(adapter, *schema);
      if (s.name != "envelope") c->types.emplace_back(s.name);
      c->schemas.emplace(std::string(s.name), std::move(schema));
      c->documents.emplace(std::string(s.name), std::move(doc));
    }
    return c;
  }();
  return *compiled;
}

// valijson describes where an error is as a list of tokens: "<root>", then
// "[name]" for members and "[3]" for array items. Member and index look the
// same, which does not matter for a JSON Pointer.
std::string ToPointer(const std::vector<std::string>& context) {
  std::string out;
  for (const std::string& token : context) {
    if (token == "<root>") continue;
    std::string_view t = token;
    if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
    util::StrAppend(&out, "/", EscapePointerToken(t));
  }
  return out;
}

// valijson repeats each failure on every enclosing schema ("Failed to
// validate against schema associated with property name 'body'"). Keep an
// error only if no other error sits strictly below it.
void KeepMostSpecific(std::vector<Violation>* v, size_t from) {
  std::vector<Violation> kept;
  for (size_t i = from; i < v->size(); ++i) {
    const Violation& a = (*v)[i];
    bool has_child = false;
    for (size_t j = from; j < v->size() && !has_child; ++j) {
      const std::string& b = (*v)[j].pointer;
      has_child =
          b.size() > a.pointer.size() && b.compare(0, a.pointer.size(), a.pointer) == 0 && b[a.pointer.size()] == '/';
    }
    bool generic = a.message.rfind("Failed to validate against schema associated with", 0) == 0 ||
                   a.message.rfind("Failed to validate item #", 0) == 0;
    if (has_child && generic) continue;
    if (std::find(kept.begin(), kept.end(), a) == kept.end()) kept.push_back(a);
  }
  v->resize(from);
  v->insert(v->end(), kept.begin(), kept.end());
}

// Follows a local "$ref": "#/definitions/x" within `root`.
const nlohmann::json* Deref(const nlohmann::json& root, const nlohmann::json* node) {
  for (int hops = 0; node != nullptr && hops < 8; ++hops) {
    auto ref = node->find("$ref");
    if (ref == node->end() || !ref->is_string()) return node;
    std::string target = ref->get<std::string>();
    if (target.rfind("#/", 0) != 0) return node;
    try {
      node = &root.at(nlohmann::json::json_pointer(target.substr(1)));
    } catch (const nlohmann::json::exception&) {
      return nullptr;
    }
  }
  return node;
}

// The subschema that applies at instance pointer `tokens` (properties and
// items only), or nullptr.
const nlohmann::json* SubschemaAt(const nlohmann::json& root, const std::vector<std::string>& tokens) {
  const nlohmann::json* node = Deref(root, &root);
  for (const std::string& raw : tokens) {
    if (node == nullptr || !node->is_object()) return nullptr;
    if (raw == "<root>") continue;
    std::string_view t = raw;
    if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
    const nlohmann::json* next = nullptr;
    if (auto props = node->find("properties"); props != node->end() && props->contains(t)) {
      next = &(*props)[std::string(t)];
    } else if (auto items = node->find("items"); items != node->end()) {
      next = &*items;
    }
    node = Deref(root, next);
  }
  return node;
}

// valijson says only "Failed to match against any enum values."; name the
// allowed values instead.
std::string Describe(const nlohmann::json& root, const valijson::ValidationResults::Error& e) {
  if (e.description.rfind("Failed to match against any enum values", 0) == 0) {
    const nlohmann::json* sub = SubschemaAt(root, e.context);
    if (sub != nullptr && sub->contains("enum") && (*sub)["enum"].is_array()) {
      std::vector<std::string> names;
      for (const auto& v : (*sub)["enum"]) names.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      return util::StrCat("must be one of: ", util::StrJoin(names, ", "));
    }
  }
  return e.description;
}

}  // namespace

const std::vector<std::string>& RecordTypes() { return Schemas().types; }

bool ValidateAgainst(std::string_view schema_name, const nlohmann::json& doc, std::string_view pointer_prefix,
                     std::vector<Violation>* out) {
  const Compiled& compiled = Schemas();
  auto it = compiled.schemas.find(schema_name);
  if (it == compiled.schemas.end()) return false;
  // One validator per thread and schema: it caches compiled regexes.
  thread_local std::map<const valijson::Schema*, std::unique_ptr<valijson::Validator>> validators;
  auto& validator = validators[it->second.get()];
  if (!validator) validator = std::make_unique<valijson::Validator>(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  if (validator->validate(*it->second, adapter, &results)) return true;
  size_t from = out->size();
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    out->push_back({util::StrCat(pointer_prefix, ToPointer(error.context)),
                    Describe(compiled.documents.find(schema_name)->second, error)});
  }
  KeepMostSpecific(out, from);
  return true;
}

}  // namespace aisafe::records
