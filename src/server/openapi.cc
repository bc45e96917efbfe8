// The OpenAPI 3.1 document of the node's HTTP API, served at /openapi.json.
// api_test checks that its paths and methods are exactly Api::Routes().
#include "server/api.h"

namespace aisafe::server {

const std::string& Api::OpenApiDocument() {
  static const auto* doc = new std::string(R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "aisafe node API",
    "version": "1",
    "description": "A sovereign node of the AI safety network: TLP-marked records, a C2SP transparency log, and operations endpoints. Callers authenticate with 'Authorization: Bearer TOKEN'; unauthenticated callers see TLP:CLEAR records only. Errors are RFC 9457 problem details naming the field at fault.",
    "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "aisafe_ followed by 43 base64url characters (aisafe token create)"}},
    "parameters": {
      "id": {"name": "id", "in": "path", "required": true, "description": "Record id: lowercase hex SHA-256 of its RFC 8785 form", "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
      "index": {"name": "index", "in": "path", "required": true, "description": "Tile index in C2SP tlog-tiles form (x001/234), optionally with .p/WIDTH for a partial tile", "schema": {"type": "string"}}
    },
    "schemas": {
      "Record": {"type": "object", "description": "An aisafe record (docs/formats/records.md), as stored: its RFC 8785 canonical JSON", "required": ["type", "origin", "tlp", "created", "nonce"], "additionalProperties": true},
      "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
          "pointer": {"type": "string", "description": "JSON Pointer into the submitted record"},
          "parameter": {"type": "string", "description": "Query parameter at fault"},
          "line": {"type": "integer", "description": "Line of the record in a JSON Lines body"},
          "detail": {"type": "string"}}}}}},
      "SubmitResult": {"type": "object", "required": ["records"], "properties": {"records": {"type": "array", "items": {"type": "object", "required": ["id", "created"], "properties": {"id": {"type": "string"}, "created": {"type": "boolean", "description": "false when the record, or the same submitted document, was stored before"}}}}}},
      "SearchResult": {"type": "object", "required": ["total", "total_exact", "offset", "limit", "hits"], "properties": {
        "total": {"type": "integer", "description": "Visible matches; at least this many when total_exact is false (counted exactly up to 1000, or always with facets=true)"},
        "total_exact": {"type": "boolean"}, "offset": {"type": "integer"}, "limit": {"type": "integer"},
        "next_offset": {"type": "integer", "description": "Present when there are more hits"},
        "hits": {"type": "array", "items": {"type": "object", "required": ["id", "type", "origin", "tlp", "lang", "created", "countries", "title", "snippet", "snippet_html"], "properties": {
          "id": {"type": "string"}, "type": {"type": "string"}, "origin": {"type": "string"}, "tlp": {"type": "string"}, "lang": {"type": "string"}, "created": {"type": "string"},
          "countries": {"type": "array", "items": {"type": "string"}}, "title": {"type": "string"},
          "snippet": {"type": "string", "description": "Plain text around the matches"}, "snippet_html": {"type": "string", "description": "The same, HTML-escaped, matches in <mark>"}}}},
        "facets": {"type": "object", "description": "With facets=true: facet (type, tlp, origin, country, lang, harm) -> value -> count", "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}}}}},
      "RecordPage": {"type": "object", "required": ["records", "next_cursor"], "properties": {"records": {"type": "array", "items": {"type": "object", "required": ["id", "record"], "properties": {"id": {"type": "string"}, "record": {"$ref": "#/components/schemas/Record"}}}}, "next_cursor": {"type": "string", "description": "Opaque; empty when there is nothing more"}}},
      "InclusionProof": {"type": "object", "required": ["index", "tree_size", "proof", "checkpoint"], "properties": {"index": {"type": "integer"}, "tree_size": {"type": "integer"}, "proof": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}, "checkpoint": {"type": ["string", "null"], "description": "The signed checkpoint (C2SP signed note) of tree_size"}}}
    },
    "responses": {
      "Problem": {"description": "RFC 9457 problem details", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    }
  },
  "security": [{}, {"bearer": []}],
  "paths": {
    "/v1/records": {
      "post": {
        "summary": "Submit one record (application/json) or many (application/x-ndjson, JSON Lines): all or nothing",
        "description": "Needs a token. Contributors may submit TLP:CLEAR or TLP:GREEN only. The node fills origin, created and nonce when absent. Write-rate limited per token and per address (429 with Retry-After).",
        "security": [{"bearer": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Record"}}, "application/x-ndjson": {"schema": {"type": "string"}}}},
        "responses": {"201": {"description": "Stored (at least one record is new)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubmitResult"}}}},
          "200": {"description": "Every record was stored before", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubmitResult"}}}},
          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"},
          "413": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}, "429": {"$ref": "#/components/responses/Problem"}}
      },
      "get": {
        "summary": "List the records the caller may see, newest first",
        "parameters": [
          {"name": "type", "in": "query", "schema": {"type": "string"}},
          {"name": "origin", "in": "query", "schema": {"type": "string"}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
          {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page"}],
        "responses": {"200": {"description": "A page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecordPage"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/records/{id}": {
      "get": {
        "summary": "One record as stored (its canonical JSON); 404 if absent or hidden from the caller",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {"200": {"description": "The record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Record"}}}}, "304": {"description": "Not modified (If-None-Match)"}, "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/records/{id}/proof": {
      "get": {
        "summary": "RFC 9162 inclusion proof of the record's log entry, with the signed checkpoint it is against",
        "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1}, "description": "Tree size (default: the newest checkpoint, signed first if the record is newer)"}],
        "responses": {"200": {"description": "The proof", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InclusionProof"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/search": {
      "get": {
        "summary": "Full-text search, in any language, over the records the caller may see (docs/search.md)",
        "description": "Visibility is a filter inside the query: hits, total and facets count only records the caller may see. The query language: words (any, best first; match=all for every), \"phrases\", prefix*, AND, OR, NOT or -word, parentheses; empty lists the newest. Filters repeat or take commas: type=incident,practice. The asker's language for stemming is qlang, else Accept-Language.",
        "parameters": [
          {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 4096}},
          {"name": "qlang", "in": "query", "schema": {"type": "string"}, "description": "BCP 47 tag of the query's language (default: Accept-Language)"},
          {"name": "type", "in": "query", "schema": {"type": "string"}},
          {"name": "tlp", "in": "query", "schema": {"type": "string"}},
          {"name": "origin", "in": "query", "schema": {"type": "string"}},
          {"name": "country", "in": "query", "schema": {"type": "string"}},
          {"name": "lang", "in": "query", "schema": {"type": "string"}},
          {"name": "harm", "in": "query", "schema": {"type": "string"}},
          {"name": "from", "in": "query", "schema": {"type": "string"}, "description": "created on or after: a date or an RFC 3339 UTC time"},
          {"name": "to", "in": "query", "schema": {"type": "string"}, "description": "created on or before"},
          {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 9999, "default": 0}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
          {"name": "facets", "in": "query", "schema": {"type": "boolean", "default": false}},
          {"name": "diacritics", "in": "query", "schema": {"enum": ["fold", "exact"], "default": "fold"}},
          {"name": "match", "in": "query", "schema": {"enum": ["any", "all"], "default": "any"}}],
        "responses": {"200": {"description": "Hits, best first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/me": {"get": {"summary": "Who the caller is: principal name (null for the public), role, and this node's name and country", "responses": {"200": {"description": "The caller", "content": {"application/json": {"schema": {"type": "object", "required": ["name", "role", "node", "country"]}}}}, "401": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/node": {"get": {"summary": "This node's name, country, verifier key (C2SP signed-note form), log size and newest checkpoint", "security": [{}], "responses": {"200": {"description": "The node", "content": {"application/json": {"schema": {"type": "object", "required": ["name", "country", "key", "log_size", "checkpoint"]}}}}}}},
    "/v1/stats": {"get": {"summary": "The dashboard's counts, over the records the caller may see: total, the last 7 days by type and country, incidents by country, the last 90 days by type", "responses": {"200": {"description": "Counts", "content": {"application/json": {"schema": {"type": "object", "required": ["as_of", "log_size", "checkpoint", "total", "week", "incidents_by_country", "days"]}}}}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/admin/principals": {
      "get": {"summary": "Principals of this node (admins only)", "security": [{"bearer": []}], "responses": {"200": {"description": "Principals", "content": {"application/json": {"schema": {"type": "object", "required": ["principals"]}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}},
      "post": {"summary": "Add a principal (admins only)", "security": [{"bearer": []}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "role"], "additionalProperties": false, "properties": {"name": {"type": "string"}, "role": {"enum": ["admin", "analyst", "contributor"]}}}}}},
        "responses": {"201": {"description": "Added", "content": {"application/json": {"schema": {"type": "object"}}}}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}}}
    },
    "/v1/admin/principals/{name}": {"delete": {"summary": "Remove a principal and every token of it (admins only; not oneself)", "security": [{"bearer": []}], "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"204": {"description": "Removed"}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/admin/tokens": {
      "get": {"summary": "API tokens of every principal: ids and dates, never secrets (admins only)", "security": [{"bearer": []}], "responses": {"200": {"description": "Tokens", "content": {"application/json": {"schema": {"type": "object", "required": ["tokens"]}}}}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}},
      "post": {"summary": "Create a token for a principal; the secret is in this response only (admins only)", "security": [{"bearer": []}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["principal"], "additionalProperties": false, "properties": {"principal": {"type": "string"}, "expires": {"type": ["string", "null"], "description": "A lifetime such as 90d, 12h, 1w"}}}}}},
        "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"type": "object", "required": ["id", "token", "principal", "created", "expires"]}}}}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}}}
    },
    "/v1/admin/tokens/{id}": {"delete": {"summary": "Revoke a token by its id (admins only)", "security": [{"bearer": []}], "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"}}],
      "responses": {"204": {"description": "Revoked"}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/log/checkpoint": {
      "get": {"summary": "The newest signed checkpoint (C2SP tlog-checkpoint in a C2SP signed note)", "responses": {"200": {"description": "The checkpoint", "content": {"text/plain": {"schema": {"type": "string"}}}}}}
    },
    "/log/tile/{level}/{index}": {
      "get": {"summary": "A hash tile (C2SP tlog-tiles); full tiles are immutable",
        "parameters": [{"name": "level", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": 63}}, {"$ref": "#/components/parameters/index"}],
        "responses": {"200": {"description": "Tile bytes", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "404": {"$ref": "#/components/responses/Problem"}}}
    },
    "/log/tile/entries/{index}": {
      "get": {"summary": "An entry bundle (C2SP tlog-tiles): each entry a big-endian uint16 length and the record's 32-byte id",
        "parameters": [{"$ref": "#/components/parameters/index"}],
        "responses": {"200": {"description": "Bundle bytes", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "404": {"$ref": "#/components/responses/Problem"}}}
    },
    "/v1/federation/feed": {"get": {"summary": "The federation feed: records this node may send to the asker, in log order, with inclusion proofs (docs/federation.md)", "description": "Sign the request with the asking node's key (RFC 9421, Ed25519: Date, Signature-Input, Signature). Unsigned requests, and nodes that are not members here, receive TLP:CLEAR records only.", "security": [{}], "parameters": [
      {"name": "cursor", "in": "query", "description": "Opaque; from next_cursor", "schema": {"type": "string"}},
      {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 5000, "default": 1000}},
      {"name": "to", "in": "query", "description": "This node's name; required in signed requests, which it binds to this node", "schema": {"type": "string"}},
      {"name": "have", "in": "query", "description": "Tree size of this node's log the asker holds a checkpoint of; the page then carries a consistency proof", "schema": {"type": "integer", "minimum": 0}}],
      "responses": {"200": {"description": "A feed page", "content": {"application/json": {"schema": {"type": "object", "required": ["sender", "checkpoint", "origin_checkpoints", "entries", "next_cursor", "more"]}}}}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/federation/witness": {"get": {"summary": "The checkpoints of other logs this node witnessed, each with its tlog-cosignature/v1", "security": [{}], "responses": {"200": {"description": "Witness view", "content": {"application/json": {"schema": {"type": "object", "required": ["witness", "checkpoints"]}}}}}}},
    "/v1/federation/consistency": {"get": {"summary": "RFC 9162 consistency proof between two sizes of this node's log", "security": [{}], "parameters": [
      {"name": "old", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 0}},
      {"name": "new", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 0}}],
      "responses": {"200": {"description": "The proof", "content": {"application/json": {"schema": {"type": "object", "required": ["old_size", "new_size", "proof"]}}}}, "400": {"$ref": "#/components/responses/Problem"}, "416": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/federation/status": {"get": {"summary": "Peers, their sync state, witnessed checkpoints and split-view alerts", "security": [{"bearer": []}], "responses": {"200": {"description": "Federation state", "content": {"application/json": {"schema": {"type": "object", "required": ["node", "peers", "witnessed", "split_views"]}}}}, "401": {"$ref": "#/components/responses/Problem"}}}},
    "/witness/add-checkpoint": {"post": {"summary": "C2SP tlog-witness add-checkpoint: verify a member's checkpoint against the last one witnessed and cosign it", "security": [{}], "requestBody": {"required": true, "content": {"text/plain": {"schema": {"type": "string", "description": "old SIZE, consistency proof lines (base64), an empty line, the signed checkpoint"}}}},
      "responses": {"200": {"description": "Cosignature line(s)", "content": {"text/plain": {"schema": {"type": "string"}}}}, "400": {"description": "Malformed"}, "403": {"description": "Signature does not verify"}, "404": {"description": "Unknown origin"}, "409": {"description": "Old size is not the witnessed size (text/x.tlog.size), or a fork at the same size"}, "422": {"description": "Consistency proof does not verify"}}}},
    "/healthz": {"get": {"summary": "Liveness and store health", "responses": {"200": {"description": "Healthy", "content": {"application/json": {"schema": {"type": "object"}}}}, "503": {"$ref": "#/components/responses/Problem"}}}},
    "/metrics": {"get": {"summary": "Prometheus text exposition format 0.0.4", "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
  }
}
)json");
  return *doc;
}

}  // namespace aisafe::server
