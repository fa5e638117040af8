// The admin API's route table: every endpoint's method, path pattern, access, one line of
// documentation and handler, in one place. The endpoint list in README.md is generated
// from it (`itc-node --print-routes`); admin_routes_test fails when the two differ.
//
// Matching: a request's path is split at '/' (empty segments dropped) and each segment
// percent-decoded; a pattern segment `{name}` matches any one segment, and the handler
// gets the matched segments in AdminRequest::params in pattern order. A path that some
// route matches with another method is answered 405 naming the allowed method(s); a path
// no route matches, 404.
//
// Thread safety: the table is immutable; handlers run on the admin server's workers and
// may block on Node calls.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/admin_server.hpp"

namespace itc::host {

// What a client must present: `Authorization: Bearer <token>` of a token whose role is at
// least the route's (admin_tokens.hpp), else 401 (no or unknown token) or 403 (a role too
// weak). The HTTP layer (admin_server.cpp) checks it before reading a request's body.
enum class AdminAccess {
  kPublic,   // probes: no token, never a body
  kRead,     // any token: dashboards, Prometheus
  kOperate,  // operate or admin: commands, transactions
  kAdmin,    // admin: plugins, config, tokens
};

class AdminTokens;

struct AdminRequest {
  std::string_view path;            // as sent (before decoding), without the query
  std::vector<std::string> params;  // the {…} segments, percent-decoded, in pattern order
  std::string_view query;           // after '?', undecoded
  const std::string& body;
  AdminTokens* tokens = nullptr;  // the server's tokens (nullptr: none, token routes 503)
};

using AdminHandler = AdminOutcome (*)(Node& node, const AdminRequest& request);

struct AdminRoute {
  std::string_view method;   // "GET" or "POST"
  std::string_view pattern;  // "/v1/plugins/{name}/swap"
  AdminAccess access;
  std::string_view doc;  // one line for the endpoint list
  // nullptr: answered by the HTTP layer itself (/healthz, the /v1/events stream).
  AdminHandler handler;
};

// Every admin endpoint, in the order the endpoint list shows them.
std::span<const AdminRoute> admin_routes();

// The endpoint list as a Markdown table (what `itc-node --print-routes` prints and
// README.md carries between its admin-routes markers).
std::string admin_route_list();

// The value of `key` in a query string "a=1&b=2" (percent-decoded), if present.
std::optional<std::string> query_param(std::string_view query, std::string_view key);

// "%41b" -> "Ab"; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view s);

// True if `path` (as sent, without the query) is a kPublic route's pattern exactly.
bool admin_path_is_public(std::string_view path);

// What `method` `path` needs: its route's access; kRead for a request no route serves (it
// gets 404 or 405 once a token is shown).
AdminAccess admin_route_access(std::string_view method, std::string_view path);
// "public", "read", "operate", "admin"
std::string_view admin_access_name(AdminAccess access);

}  // namespace itc::host
