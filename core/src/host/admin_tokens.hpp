// AdminTokens: the bearer tokens of a node's admin API and their roles.
//
// The node's admin.token (admin_server.hpp) is always an admin-role token, listed as
// "admin.token". Named tokens are made, listed and revoked through the API (`itc admin
// token ...`) and kept in <data_dir>/admin-tokens.pb (mode 0600) as AdminTokenRecords: a
// name, a role, the creation time and the SHA-256 of the token; the token itself is shown
// once, to its creator, and is never stored or logged.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

// 32 random bytes as 64 lowercase hex characters.
Result<std::string> new_admin_token_text();

// "read", "operate", "admin" (and back; nullopt for anything else).
std::string_view admin_role_name(v1::AdminRole role);
std::optional<v1::AdminRole> admin_role_from_name(std::string_view name);

class AdminTokens {
 public:
  static constexpr std::string_view kLegacyName = "admin.token";

  // `legacy_token`: the admin.token text ("" for none). `data_dir` empty: no named tokens
  // (create() fails). Fails naming the file if admin-tokens.pb exists and does not parse.
  static Result<std::unique_ptr<AdminTokens>> open(const std::string& data_dir,
                                                   const std::string& legacy_token);

  struct Holder {
    std::string name;
    v1::AdminRole role = v1::ADMIN_ROLE_UNSPECIFIED;
  };
  // Who holds `token`, if anyone (digests compared in constant time).
  std::optional<Holder> find(std::string_view token) const;

  // A new token of `role` named `name` (empty: "<role>-<n>"). InvalidArgument for a bad
  // name or role, AlreadyExists for a name in use; Unavailable if the file cannot be written
  // (nothing changes then).
  Result<v1::AdminTokenCreated> create(std::string name, v1::AdminRole role);
  // Every token, admin.token first, without digests.
  v1::AdminTokenList list() const;
  // NotFound for an unknown name; FailedPrecondition for admin.token (delete the file and
  // restart the node to replace it).
  Status revoke(const std::string& name);

 private:
  AdminTokens() = default;
  Status save_locked(const v1::AdminTokenList& tokens) const;

  std::string file_;
  v1::AdminTokenRecord legacy_;  // name empty: none
  mutable std::mutex mu_;        // guards tokens_
  v1::AdminTokenList tokens_;
};

}  // namespace itc::host
