// Signed plugin packages (.itcpkg): a serialized itc.v1.SignedPackage holding the manifest
// bytes, the vendor's Ed25519 signature over "itc-package-v1" || manifest, and the plugin
// library itself. The host loads a package only if verify_package() accepts it.
// Thread safety: free functions, safe to call concurrently on different files.
#pragma once

#include <string>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/status.hpp"
#include "itc/v1/plugin.pb.h"

namespace itc::host {

// A package whose signature, signer and library digest have been checked.
struct VerifiedPackage {
  v1::PackageManifest manifest;
  std::string library;     // the plugin .so bytes
  std::string signer_hex;  // hex of manifest.vendor_public_key
};

// "itc-package-v1" || manifest: the bytes the vendor signs.
std::string package_signing_bytes(std::string_view manifest_bytes);

// Parses a package file; checks nothing beyond the protobuf framing. NotFound if the
// file cannot be read, Corruption if it is not a SignedPackage.
Result<v1::SignedPackage> read_package_file(const std::string& path);

// Writes `pkg` to `path` atomically (a temporary file beside it, fsync, rename).
Status write_package_file(const std::string& path, const v1::SignedPackage& pkg);

// Checks, in order: the package is signed; the signature verifies with the manifest's
// vendor_public_key; that key is one of `trusted_keys` (raw 32-byte keys); SHA-256 of the
// library equals manifest.library_sha256; the manifest's ABI suits this host and its
// name, layer and version are well-formed (check_abi_version, check_identity).
// PermissionDenied for signature and trust failures, Corruption for a library that does
// not match, Incompatible/InvalidArgument for the manifest; each message names the path.
// Nothing here loads the library: a node runs none of its code unless all of this holds.
Result<VerifiedPackage> verify_package(const std::string& path,
                                       const std::vector<std::string>& trusted_keys);

// Like verify_package() but on a package already in memory, and with `trusted_keys`
// optional: when `check_trust` is false the signer is not compared with any list.
Result<VerifiedPackage> verify_package_contents(const std::string& label,
                                                const v1::SignedPackage& pkg,
                                                const std::vector<std::string>& trusted_keys,
                                                bool check_trust);

// Corruption unless the loaded library's info record says what its signed manifest says
// (name, version, layer, ABI, config type, provides, requires).
struct PluginInfo;
Status check_library_matches_manifest(const PluginInfo& info, const v1::PackageManifest& manifest,
                                      const std::string& who);

// Builds an unsigned package from a plugin library: the manifest's name, version, layer,
// ABI, config type, provides and requires come from the library's info record (read
// from a unique copy under `run_dir`), plus the library's file name and SHA-256 and
// `vendor`.
Result<v1::SignedPackage> pack_library(const std::string& so_path, const std::string& vendor,
                                       const std::string& run_dir);

// Sets manifest.vendor_public_key to `key`'s public key (re-serializing the manifest),
// then signs the manifest. Any earlier signature is replaced.
Status sign_package(v1::SignedPackage* pkg, const crypto::Ed25519PrivateKey& key);

}  // namespace itc::host
