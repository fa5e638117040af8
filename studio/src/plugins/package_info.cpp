#include "plugins/package_info.hpp"

#include <QFile>

#include "itc/crypto.hpp"
#include "node_api/proto_json.hpp"

namespace itc::studio {

namespace {
// The signature's domain prefix (plugin.proto, SignedPackage.signature).
constexpr std::string_view kPackageDomain = "itc-package-v1";
}  // namespace

QString PackageInfo::vendor_key_hex() const { return hex(manifest.vendor_public_key()); }

QString PackageInfo::describe() const {
  if (!readable) return error;
  QString s =
      QString("%1 %2 (%3 layer, ABI %4.%5)\nvendor: %6\nvendor key: %7\n")
          .arg(QString::fromStdString(manifest.name()), QString::fromStdString(manifest.version()),
               QString::fromStdString(manifest.layer()))
          .arg(manifest.abi_major())
          .arg(manifest.abi_minor())
          .arg(QString::fromStdString(manifest.vendor()), vendor_key_hex());
  s += signature_valid ? "signature: valid for this key\n"
                       : "signature: INVALID (the node will refuse it)\n";
  s += library_matches ? "library digest: matches the manifest"
                       : "library digest: does NOT match the manifest";
  s += "\nwhether the node trusts this key shows in its answer to the load or swap";
  return s;
}

PackageInfo read_package(const QString& path) {
  PackageInfo info;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    info.error = QString("cannot read %1: %2").arg(path, f.errorString());
    return info;
  }
  const QByteArray bytes = f.readAll();
  v1::SignedPackage pkg;
  if (!pkg.ParseFromArray(bytes.constData(), static_cast<int>(bytes.size())) ||
      pkg.manifest().empty()) {
    info.error = QString("%1 is not a plugin package (.itcpkg)").arg(path);
    return info;
  }
  if (!info.manifest.ParseFromString(pkg.manifest())) {
    info.error = QString("%1: the package manifest does not parse").arg(path);
    return info;
  }
  info.readable = true;
  std::string signed_bytes(kPackageDomain);
  signed_bytes += pkg.manifest();
  info.signature_valid =
      crypto::ed25519_verify(info.manifest.vendor_public_key(), signed_bytes, pkg.signature());
  info.library_matches = crypto::sha256(pkg.library()) == info.manifest.library_sha256();
  if (!info.signature_valid) info.error = "the vendor signature does not verify";
  if (!info.library_matches) info.error = "the library does not match the manifest's digest";
  return info;
}

}  // namespace itc::studio
