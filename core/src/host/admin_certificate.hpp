// The admin API's TLS: the certificate and key files (and the client CA for mTLS) loaded
// into a TLS 1.3-only server context, and reloaded when they change on disk.
//
// Thread safety: load_admin_tls() is a pure function of the files. AdminCertificate's
// methods may be called from any thread; a context it returned stays valid (shared) for
// the connections that use it after a reload.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "itc/status.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

// A certificate this close to its end is warned about in the log.
inline constexpr std::chrono::hours kCertificateWarning{24 * 30};

struct AdminTlsContext {
  std::shared_ptr<boost::asio::ssl::context> context;
  std::int64_t not_after = 0;  // the certificate's end of validity, Unix seconds
};

// A TLS 1.3-only server context for `tls`'s files. InvalidArgument naming the file and
// what is wrong: missing or unreadable, not a PEM certificate or key, a key that does not
// match the certificate, a certificate already expired, a client CA file that does not load.
Result<AdminTlsContext> load_admin_tls(const v1::AdminTls& tls);

// "2027-01-31 12:00:00 UTC"
std::string format_utc(std::int64_t unix_seconds);

class AdminCertificate {
 public:
  explicit AdminCertificate(v1::AdminTls tls) : tls_(std::move(tls)) {}

  // The first load; the node does not serve with a certificate that does not load.
  Status load();
  // The context for a new connection. If a file changed since the last look, the pair is
  // loaded again: on success it serves from now on, otherwise the old one goes on serving
  // and the log says why (once per change). Logs a warning, at most daily, while the
  // certificate is within kCertificateWarning of its end.
  std::shared_ptr<boost::asio::ssl::context> context();
  std::int64_t not_after() const;
  const std::string& cert_file() const { return tls_.cert_file(); }

 private:
  std::string stamp() const;  // the files' inode, size and mtime, to notice a change
  void warn_if_expiring(std::chrono::system_clock::time_point now);

  const v1::AdminTls tls_;
  mutable std::mutex mu_;  // guards the fields below
  AdminTlsContext current_;
  std::string stamp_;
  std::chrono::system_clock::time_point last_warning_{};
};

}  // namespace itc::host
