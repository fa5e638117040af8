// `itc plugin ...`: vendor keys and signed plugin packages (.itcpkg).
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include "cli.hpp"
#include "host/package.hpp"
#include "itc/crypto.hpp"

namespace itc::cli {
namespace {

namespace fs = std::filesystem;

struct KeygenOptions {
  std::string out;
  bool if_missing = false;
};

struct PackOptions {
  std::string library;
  std::string out;
  std::string vendor = "unknown vendor";
};

struct SignOptions {
  std::string package;
  std::string key_file;
  std::string out;
};

struct VerifyOptions {
  std::string package;
  std::vector<std::string> trust;
};

int run_keygen(const KeygenOptions& o) {
  std::error_code ec;
  if (fs::exists(o.out, ec)) {
    if (!o.if_missing) {
      return fail(Status::AlreadyExists(o.out + " already exists; not overwriting a key (remove it "
                                                "first, or pass --if-missing to keep it)"));
    }
    auto key = crypto::Ed25519PrivateKey::load_pem_file(o.out);
    if (!key.ok()) return fail(key.status());
    std::cout << crypto::to_hex(key->public_key()) << "\n";
    return kExitOk;
  }
  auto key = crypto::Ed25519PrivateKey::generate();
  if (!key.ok()) return fail(key.status());
  if (Status s = key->save_pem_file(o.out); !s.ok()) return fail(s);
  std::cout << crypto::to_hex(key->public_key()) << "\n";
  return kExitOk;
}

// A private temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "itc-pack-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int run_pack(const PackOptions& o) {
  TempDir run_dir;
  if (run_dir.path().empty()) {
    return fail(Status::Internal("cannot create a temporary directory to inspect " + o.library));
  }
  auto pkg = host::pack_library(o.library, o.vendor, run_dir.path());
  if (!pkg.ok()) return fail(pkg.status());
  if (Status s = host::write_package_file(o.out, *pkg); !s.ok()) return fail(s);
  v1::PackageManifest manifest;
  manifest.ParseFromString(pkg->manifest());
  std::cout << "packed " << manifest.name() << " " << manifest.version() << " (" << manifest.layer()
            << ") into " << o.out << " (unsigned)\n";
  return kExitOk;
}

int run_sign(const SignOptions& o) {
  auto key = crypto::Ed25519PrivateKey::load_pem_file(o.key_file);
  if (!key.ok()) return fail(key.status());
  auto pkg = host::read_package_file(o.package);
  if (!pkg.ok()) return fail(pkg.status());
  if (Status s = host::sign_package(&*pkg, *key); !s.ok()) {
    return fail(s.WithContext("signing " + o.package));
  }
  const std::string& out = o.out.empty() ? o.package : o.out;
  if (Status s = host::write_package_file(out, *pkg); !s.ok()) return fail(s);
  std::cout << "signed " << out << " with " << crypto::to_hex(key->public_key()) << "\n";
  return kExitOk;
}

std::string join(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "-" : out;
}

void print_manifest(const v1::PackageManifest& m) {
  std::cout << "name:        " << m.name() << "\n"
            << "version:     " << m.version() << "\n"
            << "layer:       " << m.layer() << "\n"
            << "ABI:         " << m.abi_major() << "." << m.abi_minor() << "\n"
            << "config type: " << (m.config_type().empty() ? "-" : m.config_type()) << "\n"
            << "provides:    " << join(m.provides()) << "\n"
            << "requires:    " << join(m.requires_services()) << "\n"
            << "library:     " << m.library_file() << "\n"
            << "sha256:      " << crypto::to_hex(m.library_sha256()) << "\n"
            << "vendor:      " << m.vendor() << "\n"
            << "signer:      "
            << (m.vendor_public_key().empty() ? "-" : crypto::to_hex(m.vendor_public_key()))
            << "\n";
}

int run_verify(const VerifyOptions& o) {
  std::vector<std::string> trusted;
  for (const auto& t : o.trust) {
    auto key = crypto::load_public_key(t);
    if (!key.ok()) return fail(key.status().WithContext("--trust"));
    trusted.push_back(std::move(key).value());
  }
  auto pkg = host::read_package_file(o.package);
  if (!pkg.ok()) return fail(pkg.status());
  v1::PackageManifest manifest;
  if (manifest.ParseFromString(pkg->manifest())) print_manifest(manifest);

  bool check_trust = !trusted.empty();
  auto verified = host::verify_package_contents(o.package, *pkg, trusted, check_trust);
  if (!verified.ok()) {
    std::cout << "FAILED: " << verified.status().message() << "\n";
    return fail(verified.status());
  }
  if (check_trust) {
    std::cout << "OK: signed by " << verified->signer_hex << ", trusted\n";
  } else {
    std::cout << "OK: signed by " << verified->signer_hex
              << "; signature and library digest valid, signer NOT checked against a trust "
                 "list (pass --trust)\n";
  }
  return kExitOk;
}

}  // namespace

void add_plugin_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("plugin", "Vendor keys and signed plugin packages");
  group->require_subcommand(1);

  auto keygen_opts = std::make_shared<KeygenOptions>();
  auto* keygen = group->add_subcommand(
      "keygen", "Create a new Ed25519 vendor key (PKCS#8 PEM, mode 0600); prints its public key");
  keygen->add_option("--out", keygen_opts->out, "Where to write the private key")->required();
  keygen->add_flag("--if-missing", keygen_opts->if_missing,
                   "If the file already exists, keep it and print its public key");
  keygen->footer("Example:\n  itc plugin keygen --out vendor.pem");
  keygen->callback(
      [&action, keygen_opts] { action = [keygen_opts] { return run_keygen(*keygen_opts); }; });

  auto pack_opts = std::make_shared<PackOptions>();
  auto* pack = group->add_subcommand(
      "pack",
      "Build an unsigned package from a plugin library; the manifest comes from the "
      "library's info record");
  pack->add_option("LIB", pack_opts->library, "The plugin shared library (.so)")
      ->required()
      ->check(CLI::ExistingFile);
  pack->add_option("--out", pack_opts->out, "Package file to write (.itcpkg)")->required();
  pack->add_option("--vendor", pack_opts->vendor, "Vendor name recorded in the manifest")
      ->capture_default_str();
  pack->footer(
      "Example:\n  itc plugin pack libitc_normalize.so --out normalize.itcpkg --vendor Acme");
  pack->callback([&action, pack_opts] { action = [pack_opts] { return run_pack(*pack_opts); }; });

  auto sign_opts = std::make_shared<SignOptions>();
  auto* sign = group->add_subcommand(
      "sign", "Sign a package with a vendor key (records the key's public key in the manifest)");
  sign->add_option("PKG", sign_opts->package, "Package to sign")->required();
  sign->add_option("--key", sign_opts->key_file, "Vendor private key (PEM)")->required();
  sign->add_option("--out", sign_opts->out,
                   "Write the signed package here. Default: replace PKG (atomically)");
  sign->footer("Example:\n  itc plugin sign normalize.itcpkg --key vendor.pem");
  sign->callback([&action, sign_opts] { action = [sign_opts] { return run_sign(*sign_opts); }; });

  auto verify_opts = std::make_shared<VerifyOptions>();
  auto* verify = group->add_subcommand(
      "verify",
      "Print a package's manifest and check its signature, signer and library digest "
      "(exit 0 if it would load, 1 otherwise)");
  verify->add_option("PKG", verify_opts->package, "Package to check")->required();
  verify->add_option("--trust", verify_opts->trust,
                     "A trusted vendor key: 64 hex digits or a PEM file (repeatable). Without "
                     "it only the signature is checked, not who signed");
  verify->footer(
      "Examples:\n"
      "  itc plugin verify normalize.itcpkg --trust vendor.pem\n"
      "  itc plugin verify normalize.itcpkg --trust 3d4017c3e843895a92b70aa74d1b7ebc9c98...");
  verify->callback(
      [&action, verify_opts] { action = [verify_opts] { return run_verify(*verify_opts); }; });
}

}  // namespace itc::cli
