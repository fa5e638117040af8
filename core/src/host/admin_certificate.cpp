// Loading and reloading the admin API's certificate (see admin_certificate.hpp).
#include "host/admin_certificate.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <ctime>

#include "itc/file_io.hpp"

namespace itc::host {
namespace {

namespace ssl = boost::asio::ssl;

constexpr std::size_t kMaxPemBytes = 1 << 20;
constexpr unsigned char kSessionContext[] = "itc-admin";

// OpenSSL's first queued error in words (the queue is emptied).
std::string openssl_error(const boost::system::error_code& ec) {
  std::string out = ec.message();
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out = buf;
  }
  ERR_clear_error();
  return out;
}

Status refuse(const std::string& what, const std::string& file, const std::string& why) {
  return Status::InvalidArgument(what + " " + file + ": " + why);
}

}  // namespace

std::string format_utc(std::int64_t unix_seconds) {
  const std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

Result<AdminTlsContext> load_admin_tls(const v1::AdminTls& tls) {
  if (tls.cert_file().empty() || tls.key_file().empty()) {
    return Status::InvalidArgument("admin.tls needs both cert_file and key_file");
  }
  for (const std::string* f : {&tls.cert_file(), &tls.key_file(), &tls.client_ca_file()}) {
    if (f->empty()) continue;
    if (Status st = check_readable_file(*f, kMaxPemBytes); !st.ok()) return st;
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* raw = ctx->native_handle();
  SSL_CTX_set_min_proto_version(raw, TLS1_3_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  boost::system::error_code ec;
  ERR_clear_error();
  ctx->use_certificate_chain_file(tls.cert_file(), ec);
  if (ec)
    return refuse("certificate", tls.cert_file(), "not a PEM certificate: " + openssl_error(ec));
  ctx->use_private_key_file(tls.key_file(), ssl::context::pem, ec);
  // (Asio takes OpenSSL's error off its queue into `ec`.)
  const bool mismatch =
      ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
  if (ec && !mismatch) {
    return refuse("private key", tls.key_file(), "not a PEM private key: " + openssl_error(ec));
  }
  if (mismatch || SSL_CTX_check_private_key(raw) != 1) {
    ERR_clear_error();
    return refuse("private key", tls.key_file(),
                  "does not match the certificate in " + tls.cert_file());
  }
  X509* cert = SSL_CTX_get0_certificate(raw);
  const ASN1_TIME* end = cert ? X509_get0_notAfter(cert) : nullptr;
  std::tm tm{};
  if (end == nullptr || ASN1_TIME_to_tm(end, &tm) != 1) {
    return refuse("certificate", tls.cert_file(), "has no readable end of validity");
  }
  AdminTlsContext out;
  out.not_after = timegm(&tm);
  if (X509_cmp_current_time(end) <= 0) {
    return refuse("certificate", tls.cert_file(), "expired on " + format_utc(out.not_after));
  }
  if (!tls.client_ca_file().empty()) {
    ctx->load_verify_file(tls.client_ca_file(), ec);
    if (ec) {
      return refuse("client CA", tls.client_ca_file(),
                    "not a PEM certificate: " + openssl_error(ec));
    }
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file().c_str())) {
      SSL_CTX_set_client_CA_list(raw, names);  // takes ownership
    }
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  SSL_CTX_set_session_id_context(raw, kSessionContext, sizeof kSessionContext - 1);
  out.context = std::move(ctx);
  return out;
}

std::string AdminCertificate::stamp() const {
  std::string out;
  for (const std::string* f : {&tls_.cert_file(), &tls_.key_file(), &tls_.client_ca_file()}) {
    struct stat st {};
    if (f->empty() || ::stat(f->c_str(), &st) != 0) {
      out += "-;";
      continue;
    }
    out += std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ";";
  }
  return out;
}

Status AdminCertificate::load() {
  std::lock_guard lock(mu_);
  stamp_ = stamp();
  auto loaded = load_admin_tls(tls_);
  if (!loaded.ok()) return loaded.status();
  current_ = std::move(*loaded);
  spdlog::info("admin: TLS certificate {} valid until {}", tls_.cert_file(),
               format_utc(current_.not_after));
  warn_if_expiring(std::chrono::system_clock::now());
  return Status::Ok();
}

std::shared_ptr<boost::asio::ssl::context> AdminCertificate::context() {
  std::lock_guard lock(mu_);
  if (std::string now = stamp(); now != stamp_) {
    stamp_ = std::move(now);
    auto loaded = load_admin_tls(tls_);
    if (loaded.ok()) {
      current_ = std::move(*loaded);
      last_warning_ = {};
      spdlog::info("admin: reloaded TLS certificate {} (valid until {})", tls_.cert_file(),
                   format_utc(current_.not_after));
    } else {
      spdlog::warn(
          "admin: the changed TLS files do not load, still serving the previous certificate "
          "(valid until {}): {}",
          format_utc(current_.not_after), loaded.status().message());
    }
  }
  warn_if_expiring(std::chrono::system_clock::now());
  return current_.context;
}

std::int64_t AdminCertificate::not_after() const {
  std::lock_guard lock(mu_);
  return current_.not_after;
}

void AdminCertificate::warn_if_expiring(std::chrono::system_clock::time_point now) {
  const auto end = std::chrono::system_clock::from_time_t(current_.not_after);
  if (end - now > kCertificateWarning || now - last_warning_ < std::chrono::hours(24)) return;
  last_warning_ = now;
  const auto days = std::chrono::duration_cast<std::chrono::hours>(end - now).count() / 24;
  spdlog::warn(
      "admin: TLS certificate {} expires in {} days ({}); replace it (the node reloads "
      "it without a restart)",
      tls_.cert_file(), days, format_utc(current_.not_after));
}

}  // namespace itc::host
