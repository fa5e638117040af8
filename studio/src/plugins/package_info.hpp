// PackageInfo: what a signed plugin package (.itcpkg, itc.v1.SignedPackage) says about
// itself, read and checked locally before it is sent to a node: its manifest, the vendor
// key that signed it, whether that signature and the library digest check out.
// Thread safety: pure functions.
#pragma once

#include <QString>

#include "itc/v1/plugin.pb.h"

namespace itc::studio {

struct PackageInfo {
  bool readable = false;  // the file is a SignedPackage with a parsable manifest
  QString error;          // why not, or why the checks below failed
  v1::PackageManifest manifest;
  bool signature_valid = false;  // Ed25519 by manifest.vendor_public_key over the manifest
  bool library_matches = false;  // SHA-256 of the library equals manifest.library_sha256
  QString vendor_key_hex() const;
  // One paragraph for the user: name, version, layer, vendor, key, check results.
  QString describe() const;
};

PackageInfo read_package(const QString& path);

}  // namespace itc::studio
