// A plugin package as an operator hands it to a node (a file, or POST /v1/plugins/...):
// the SignedPackage decoder and every check verify_package_contents makes before a node
// runs any of its code (signature, trusted signer, library digest, ABI, name, layer,
// version), in core/src/host/package.cpp.
// Input: byte 0 says how the rest, a serialized v1::SignedPackage, is presented: bit 0
// clear, as it is (forged or unsigned packages); set, signed first with the trusted fixed
// vendor key by sign_package (a vendor's own mistakes), after setting the manifest's
// library_sha256 to the library's digest when bit 1 is set.
#include <cstddef>
#include <cstdint>

#include "fixed_keys.hpp"
#include "host/package.hpp"
#include "itc/canonical_bytes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto vendor = itc::fuzz::key_from_name("vendor-0");
  static const std::vector<std::string> trusted = {vendor.public_key()};
  if (size < 1) return 0;
  itc::v1::SignedPackage pkg;
  if (!pkg.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
  if (data[0] & 1) {
    if (data[0] & 2) {
      itc::v1::PackageManifest manifest;
      if (!manifest.ParseFromString(pkg.manifest())) return 0;
      manifest.set_library_sha256(itc::crypto::sha256(pkg.library()));
      pkg.set_manifest(itc::deterministic_bytes(manifest));
    }
    if (!itc::host::sign_package(&pkg, vendor).ok()) return 0;
  }
  (void)itc::host::verify_package_contents("fuzz.itcpkg", pkg, trusted, true);
  return 0;
}
