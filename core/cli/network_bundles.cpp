// `itc network init --bundles`: one directory per validator holding everything its machine
// needs beside the iot-chain package — the node config, the genesis and the validator's
// identity key — laid out as they go under /etc/itc (deploy/README.md, "A network of
// machines").
#include "network_bundles.hpp"

#include <filesystem>

#include "itc/file_io.hpp"

namespace itc::cli {
namespace {

// A YAML double-quoted scalar: safe for any text (a libpq connection string has spaces and
// '=', a path may have ':').
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string port_of(const std::string& address) {
  const auto colon = address.rfind(':');
  return colon == std::string::npos ? "" : address.substr(colon + 1);
}

std::string node_yaml(const BundleOptions& o, const v1::Genesis& genesis, int i) {
  const v1::Validator& v = genesis.validators(i);
  const std::string& name = v.name();
  const std::string etc = o.config_dir + "/" + name;
  const std::string pkg = o.packages_dir + "/";
  std::string y;
  y += "# " + name + " of network " + genesis.chain_id() + ", written by `itc network init " +
       "--bundles`.\n";
  y += "# Copy this bundle's contents into " + o.config_dir +
       "/ on the validator's machine (the key\n"
       "# stays mode 0600, owned by the user itc), then start it:\n"
       "#   systemctl enable --now itc-node@" +
       name + ".service\n";
  y += "node:\n";
  y += "  name: " + name + "\n";
  y += "  data_dir: " + quoted(o.data_dir + "/" + name) + "\n";
  y += "  admin: {listen: " + quoted(o.admin_listen) + "}\n";
  y += "  trusted_vendor_keys: [" + quoted(o.vendor_key) + "]\n\n";
  y += "device_profiles: [" + quoted(o.profiles_dir) + "]\n\n";
  y += "plugins:\n";
  y += "  - name: normalize\n    package: " + quoted(pkg + "normalize.itcpkg") + "\n\n";
  if (o.postgres.empty()) {
    y += "  - name: store-sqlite\n    package: " + quoted(pkg + "store-sqlite.itcpkg") + "\n\n";
  } else {
    // One database for the site; each validator its own schema in it.
    std::string schema = name;
    for (char& c : schema) c = c == '-' ? '_' : c;
    y += "  - name: store-postgres\n    package: " + quoted(pkg + "store-postgres.itcpkg") + "\n";
    y += "    config:\n      connection: " + quoted(o.postgres) + "\n";
    y += "      schema: " + schema + "\n";
    if (!o.postgres_password_file.empty()) {
      y += "      password_file: " + quoted(o.postgres_password_file) + "\n";
    }
    y += "\n";
  }
  y += "  - name: pbft\n    package: " + quoted(pkg + "pbft.itcpkg") + "\n    config:\n";
  y += "      genesis_file: " + quoted(etc + "/genesis.json") + "\n";
  y += "      identity_key_file: " + quoted(etc + "/identity.pem") + "\n";
  if (o.listen_any) y += "      listen_address: \"0.0.0.0:" + port_of(v.address()) + "\"\n";
  if (o.dag) y += "      dag: true\n";
  y += "\n  - name: control\n    package: " + quoted(pkg + "control.itcpkg") + "\n";
  return y;
}

}  // namespace

Status write_bundle(const BundleOptions& o, const v1::Genesis& genesis, int i,
                    const std::string& genesis_json, const crypto::Ed25519PrivateKey& key) {
  namespace fs = std::filesystem;
  const std::string& name = genesis.validators(i).name();
  const std::string root = bundle_dir(o.out, name);
  std::error_code ec;
  fs::create_directories(root + "/" + name, ec);
  if (ec) return Status::Internal("cannot create " + root + "/" + name + ": " + ec.message());
  ITC_RETURN_IF_ERROR(key.save_pem_file(root + "/" + name + "/identity.pem"));  // mode 0600
  ITC_RETURN_IF_ERROR(
      write_file_atomically(root + "/" + name + "/genesis.json", genesis_json + "\n", 0644));
  return write_file_atomically(root + "/" + name + ".yaml", node_yaml(o, genesis, i), 0644);
}

std::string bundle_dir(const std::string& out, const std::string& validator) {
  return out + "/" + validator + "-bundle";
}

}  // namespace itc::cli
