// Signed plugin packages: reading, writing, packing, signing and verifying .itcpkg files.
#include "host/package.hpp"

#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/plugin_library.hpp"
#include "itc/file_io.hpp"

namespace itc::host {
namespace {

constexpr std::string_view kPackageDomain = "itc-package-v1";

std::string serialize_deterministic(const google::protobuf::MessageLite& msg) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    msg.SerializeToCodedStream(&coded);
  }
  return out;
}

bool is_trusted(const std::string& key, const std::vector<std::string>& trusted_keys) {
  for (const auto& k : trusted_keys) {
    if (k == key) return true;
  }
  return false;
}

}  // namespace

std::string package_signing_bytes(std::string_view manifest_bytes) {
  std::string out;
  out.reserve(kPackageDomain.size() + manifest_bytes.size());
  out.append(kPackageDomain);
  out.append(manifest_bytes);
  return out;
}

Result<v1::SignedPackage> read_package_file(const std::string& path) {
  auto data = read_file(path, kMaxDataFileBytes);
  if (!data.ok()) return data.status();
  v1::SignedPackage pkg;
  if (!pkg.ParseFromString(*data)) {
    return Status::Corruption("package " + path + " is not a plugin package (.itcpkg)");
  }
  if (pkg.manifest().empty() || pkg.library().empty()) {
    return Status::Corruption("package " + path + " has no " +
                              (pkg.manifest().empty() ? "manifest" : "library"));
  }
  return pkg;
}

Status write_package_file(const std::string& path, const v1::SignedPackage& pkg) {
  return write_file_atomically(path, serialize_deterministic(pkg), 0644);
}

Result<VerifiedPackage> verify_package_contents(const std::string& label,
                                                const v1::SignedPackage& pkg,
                                                const std::vector<std::string>& trusted_keys,
                                                bool check_trust) {
  const std::string who = "package " + label;
  VerifiedPackage out;
  if (!out.manifest.ParseFromString(pkg.manifest())) {
    return Status::Corruption(who + ": manifest is not a PackageManifest");
  }
  if (pkg.signature().empty()) return Status::PermissionDenied(who + " is not signed");
  const std::string& signer = out.manifest.vendor_public_key();
  if (signer.size() != crypto::kEd25519PublicKeySize) {
    return Status::PermissionDenied(who + ": manifest's vendor_public_key is " +
                                    std::to_string(signer.size()) + " bytes, expected 32");
  }
  out.signer_hex = crypto::to_hex(signer);
  if (!crypto::ed25519_verify(signer, package_signing_bytes(pkg.manifest()), pkg.signature())) {
    return Status::PermissionDenied(who +
                                    " signature does not verify (manifest altered after signing?)");
  }
  if (check_trust && !is_trusted(signer, trusted_keys)) {
    return Status::PermissionDenied(who + " is signed by " + out.signer_hex +
                                    ", which this node does not trust");
  }
  if (crypto::sha256(pkg.library()) != out.manifest.library_sha256()) {
    return Status::Corruption(who + " library does not match the manifest's SHA-256 (tampered?)");
  }
  ITC_RETURN_IF_ERROR(check_abi_version(out.manifest.abi_major(), out.manifest.abi_minor(), who));
  ITC_RETURN_IF_ERROR(
      check_identity(out.manifest.name(), out.manifest.version(), out.manifest.layer(), who));
  out.library = pkg.library();
  return out;
}

Status check_library_matches_manifest(const PluginInfo& info, const v1::PackageManifest& m,
                                      const std::string& who) {
  const std::vector<std::string> provides(m.provides().begin(), m.provides().end());
  const std::vector<std::string> requires_(m.requires_services().begin(),
                                           m.requires_services().end());
  if (m.name() != info.name || m.version() != info.version || m.layer() != info.layer ||
      m.abi_major() != info.abi_major || m.abi_minor() != info.abi_minor ||
      m.config_type() != info.config_type || provides != info.provides ||
      requires_ != info.requires_) {
    return Status::Corruption(
        who + ": package manifest says " + m.name() + " " + m.version() + " (" + m.layer() +
        ", ABI " + std::to_string(m.abi_major()) + "." + std::to_string(m.abi_minor()) +
        ") but its library is " + info.name + " " + info.version + " (" + info.layer + ", ABI " +
        std::to_string(info.abi_major) + "." + std::to_string(info.abi_minor) +
        "), or their config type or services differ");
  }
  return Status::Ok();
}

Result<VerifiedPackage> verify_package(const std::string& path,
                                       const std::vector<std::string>& trusted_keys) {
  auto pkg = read_package_file(path);
  if (!pkg.ok()) return pkg.status();
  return verify_package_contents(path, *pkg, trusted_keys, /*check_trust=*/true);
}

Result<v1::SignedPackage> pack_library(const std::string& so_path, const std::string& vendor,
                                       const std::string& run_dir) {
  auto library = read_file(so_path, kMaxDataFileBytes);
  if (!library.ok()) return library.status();
  auto info = inspect_library(so_path, run_dir);
  if (!info.ok()) return info.status().WithContext("packing " + so_path);

  v1::PackageManifest manifest;
  manifest.set_name(info->name);
  manifest.set_version(info->version);
  manifest.set_layer(info->layer);
  manifest.set_abi_major(info->abi_major);
  manifest.set_abi_minor(info->abi_minor);
  manifest.set_config_type(info->config_type);
  for (const auto& p : info->provides) manifest.add_provides(p);
  for (const auto& r : info->requires_) manifest.add_requires_services(r);
  manifest.set_library_file(std::filesystem::path(so_path).filename().string());
  manifest.set_library_sha256(crypto::sha256(*library));
  manifest.set_vendor(vendor);

  v1::SignedPackage pkg;
  pkg.set_manifest(serialize_deterministic(manifest));
  pkg.set_library(std::move(library).value());
  return pkg;
}

Status sign_package(v1::SignedPackage* pkg, const crypto::Ed25519PrivateKey& key) {
  if (!key.valid()) return Status::InvalidArgument("signing key is empty");
  v1::PackageManifest manifest;
  if (!manifest.ParseFromString(pkg->manifest())) {
    return Status::Corruption("package manifest is not a PackageManifest");
  }
  manifest.set_vendor_public_key(key.public_key());
  pkg->set_manifest(serialize_deterministic(manifest));
  std::string signature = key.sign(package_signing_bytes(pkg->manifest()));
  if (signature.size() != crypto::kEd25519SignatureSize) {
    return Status::Internal("signing the package manifest failed");
  }
  pkg->set_signature(std::move(signature));
  return Status::Ok();
}

}  // namespace itc::host
