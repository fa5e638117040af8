// The admin API's tokens and roles (see admin_tokens.hpp).
#include "host/admin_tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "itc/file_io.hpp"

namespace itc::host {
namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxTokens = 1000;

std::string sha256(std::string_view s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), d, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(d), len);
}

bool same_digest(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string name_problem(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return "a token name has 1.." + std::to_string(kMaxNameLength) + " characters";
  }
  const bool ok = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
  if (!ok) return "token name '" + name + "' may hold only a-z, 0-9, '-', '_' and '.'";
  return {};
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::string> new_admin_token_text() {
  unsigned char raw[kTokenBytes];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    return Status::Internal("cannot draw random bytes for an admin token");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : raw) {
    token.push_back(kHex[b >> 4]);
    token.push_back(kHex[b & 0xf]);
  }
  OPENSSL_cleanse(raw, sizeof raw);
  return token;
}

std::string_view admin_role_name(v1::AdminRole role) {
  switch (role) {
    case v1::ADMIN_ROLE_READ:
      return "read";
    case v1::ADMIN_ROLE_OPERATE:
      return "operate";
    case v1::ADMIN_ROLE_ADMIN:
      return "admin";
    default:
      return "none";
  }
}

std::optional<v1::AdminRole> admin_role_from_name(std::string_view name) {
  for (v1::AdminRole r : {v1::ADMIN_ROLE_READ, v1::ADMIN_ROLE_OPERATE, v1::ADMIN_ROLE_ADMIN}) {
    if (admin_role_name(r) == name) return r;
  }
  return std::nullopt;
}

Result<std::unique_ptr<AdminTokens>> AdminTokens::open(const std::string& data_dir,
                                                       const std::string& legacy_token) {
  std::unique_ptr<AdminTokens> t(new AdminTokens());
  if (!legacy_token.empty()) {
    t->legacy_.set_name(std::string(kLegacyName));
    t->legacy_.set_role(v1::ADMIN_ROLE_ADMIN);
    t->legacy_.set_sha256(sha256(legacy_token));
  }
  if (data_dir.empty()) return t;
  t->file_ = (std::filesystem::path(data_dir) / "admin-tokens.pb").string();
  std::error_code ec;
  if (!std::filesystem::exists(t->file_, ec)) return t;
  auto bytes = read_file(t->file_);
  if (!bytes.ok()) return bytes.status();
  if (!t->tokens_.ParseFromString(*bytes)) {
    return Status::Corruption("admin token file " + t->file_ +
                              " does not parse as itc.v1.AdminTokenList");
  }
  return t;
}

std::optional<AdminTokens::Holder> AdminTokens::find(std::string_view token) const {
  const std::string digest = sha256(token);
  if (!legacy_.name().empty() && same_digest(digest, legacy_.sha256())) {
    return Holder{legacy_.name(), legacy_.role()};
  }
  std::lock_guard lock(mu_);
  for (const v1::AdminTokenRecord& r : tokens_.tokens()) {
    if (same_digest(digest, r.sha256())) return Holder{r.name(), r.role()};
  }
  return std::nullopt;
}

Status AdminTokens::save_locked(const v1::AdminTokenList& tokens) const {
  return write_file_atomically(file_, tokens.SerializeAsString(), 0600);
}

Result<v1::AdminTokenCreated> AdminTokens::create(std::string name, v1::AdminRole role) {
  if (admin_role_name(role) == "none") {
    return Status::InvalidArgument("a token needs a role: read, operate or admin");
  }
  if (file_.empty()) {
    return Status::FailedPrecondition("this server keeps no named tokens (no data directory)");
  }
  std::lock_guard lock(mu_);
  if (static_cast<std::size_t>(tokens_.tokens_size()) >= kMaxTokens) {
    return Status::FailedPrecondition("the node holds " + std::to_string(kMaxTokens) +
                                      " tokens already; revoke some first");
  }
  auto taken = [&](const std::string& n) {
    return n == kLegacyName || std::any_of(tokens_.tokens().begin(), tokens_.tokens().end(),
                                           [&](const auto& r) { return r.name() == n; });
  };
  if (name.empty()) {
    for (int n = 1; name.empty() || taken(name); ++n) {
      name = std::string(admin_role_name(role)) + "-" + std::to_string(n);
    }
  } else if (std::string why = name_problem(name); !why.empty()) {
    return Status::InvalidArgument(why);
  } else if (taken(name)) {
    return Status::AlreadyExists("a token named '" + name + "' exists; revoke it first");
  }
  auto token = new_admin_token_text();
  if (!token.ok()) return token.status();
  v1::AdminTokenCreated out;
  v1::AdminTokenRecord* record = out.mutable_record();
  record->set_name(name);
  record->set_role(role);
  record->set_created_at_us(now_us());
  v1::AdminTokenList next = tokens_;
  *next.add_tokens() = *record;
  next.mutable_tokens(next.tokens_size() - 1)->set_sha256(sha256(*token));
  if (Status st = save_locked(next); !st.ok()) return st;
  tokens_ = std::move(next);
  out.set_token(std::move(*token));
  spdlog::info("admin: created token '{}' with role {}", name, admin_role_name(role));
  return out;
}

v1::AdminTokenList AdminTokens::list() const {
  v1::AdminTokenList out;
  if (!legacy_.name().empty()) *out.add_tokens() = legacy_;
  {
    std::lock_guard lock(mu_);
    for (const auto& r : tokens_.tokens()) *out.add_tokens() = r;
  }
  for (auto& r : *out.mutable_tokens()) r.clear_sha256();
  return out;
}

Status AdminTokens::revoke(const std::string& name) {
  if (name == kLegacyName) {
    return Status::FailedPrecondition(
        "admin.token cannot be revoked through the API; delete the file and restart the node to "
        "get a new one");
  }
  std::lock_guard lock(mu_);
  v1::AdminTokenList next;
  for (const auto& r : tokens_.tokens()) {
    if (r.name() != name) *next.add_tokens() = r;
  }
  if (next.tokens_size() == tokens_.tokens_size()) {
    return Status::NotFound("no token named '" + name + "'");
  }
  if (Status st = save_locked(next); !st.ok()) return st;
  tokens_ = std::move(next);
  spdlog::info("admin: revoked token '{}'", name);
  return Status::Ok();
}

}  // namespace itc::host
