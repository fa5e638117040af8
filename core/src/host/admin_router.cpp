// Matching a request against the route table (admin_routes.cpp holds the table and the
// endpoints), and the endpoint list generated from it.
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "host/admin_routes.hpp"

namespace itc::host {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) parts.push_back(percent_decode(path.substr(pos, next - pos)));
    pos = next + 1;
  }
  return parts;
}

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// The {…} segments of `parts` if they match `pattern`, else nullopt.
std::optional<std::vector<std::string>> match(std::string_view pattern,
                                              const std::vector<std::string>& parts) {
  std::vector<std::string> params;
  std::size_t i = 0;
  std::size_t pos = 1;  // patterns start with '/'
  while (pos <= pattern.size()) {
    std::size_t next = pattern.find('/', pos);
    if (next == std::string_view::npos) next = pattern.size();
    const std::string_view segment = pattern.substr(pos, next - pos);
    if (i == parts.size()) return std::nullopt;
    if (is_param(segment)) {
      params.push_back(parts[i]);
    } else if (segment != parts[i]) {
      return std::nullopt;
    }
    ++i;
    pos = next + 1;
  }
  if (i != parts.size()) return std::nullopt;
  return params;
}

AdminOutcome route(Node& node, std::string_view method, std::string_view target,
                   const std::string& body, AdminTokens* tokens) {
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  const std::vector<std::string> parts = split_path(path);
  std::string allowed;  // methods of the routes whose pattern matches, if none has `method`
  for (const AdminRoute& r : admin_routes()) {
    if (!r.handler) continue;  // served by the HTTP layer
    auto params = match(r.pattern, parts);
    if (!params) continue;
    if (r.method == method) {
      return r.handler(node, AdminRequest{path, std::move(*params), query, body, tokens});
    }
    if (allowed.find(r.method) == std::string::npos) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(r.method);
    }
  }
  if (!allowed.empty()) {
    return admin_error(
        405, "InvalidArgument",
        std::string(method) + " is not allowed on " + std::string(path) + "; use " + allowed);
  }
  return admin_error(404, "NotFound", "no admin endpoint at " + std::string(path));
}

// A Markdown table cell: '|' would end the cell.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned v = 0;
    if (s[i] == '%' && i + 2 < s.size() &&
        std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ptr == s.data() + i + 3) {
      out.push_back(static_cast<char>(v));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string admin_route_list() {
  std::string out =
      "| Method | Path | Role | What |\n"
      "|---|---|---|---|\n";
  for (const AdminRoute& r : admin_routes()) {
    out += "| " + std::string(r.method) + " | `" + std::string(r.pattern) + "` | " +
           std::string(admin_access_name(r.access)) + " | " + cell(r.doc) + " |\n";
  }
  return out;
}

bool admin_path_is_public(std::string_view path) {
  for (const AdminRoute& r : admin_routes()) {
    if (r.access == AdminAccess::kPublic && r.pattern == path) return true;
  }
  return false;
}

AdminAccess admin_route_access(std::string_view method, std::string_view path) {
  const std::vector<std::string> parts = split_path(path);
  for (const AdminRoute& r : admin_routes()) {
    if (r.method == method && match(r.pattern, parts)) return r.access;
  }
  return AdminAccess::kRead;
}

std::string_view admin_access_name(AdminAccess access) {
  switch (access) {
    case AdminAccess::kPublic:
      return "public";
    case AdminAccess::kRead:
      return "read";
    case AdminAccess::kOperate:
      return "operate";
    case AdminAccess::kAdmin:
      return "admin";
  }
  return "admin";
}

AdminOutcome route_admin_request(Node& node, std::string_view method, std::string_view target,
                                 const std::string& body, AdminTokens* tokens) {
  try {
    return route(node, method, target, body, tokens);
  } catch (...) {
    return admin_error_for_exception();
  }
}

AdminResponse handle_admin_request(Node& node, std::string_view method, std::string_view target,
                                   const std::string& body) {
  AdminOutcome outcome = route_admin_request(node, method, target, body);
  if (auto* now = std::get_if<AdminResponse>(&outcome)) return std::move(*now);
  auto& deferred = std::get<DeferredAdminResponse>(outcome);
  // Shared with the reply, which may come after this function gave up waiting.
  struct Slot {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<AdminResponse> response;
  };
  auto slot = std::make_shared<Slot>();
  deferred.start([slot](AdminResponse r) {
    std::lock_guard lock(slot->mu);
    if (!slot->response) slot->response = std::move(r);
    slot->cv.notify_all();
  });
  std::unique_lock lock(slot->mu);
  if (!slot->cv.wait_for(lock, deferred.timeout, [&] { return slot->response.has_value(); })) {
    return deferred.on_timeout;
  }
  return std::move(*slot->response);
}

}  // namespace itc::host
