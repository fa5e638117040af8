// Per-machine bundles of a new network (`itc network init --bundles`): for each validator
// a directory `<out>/<name>-bundle/` holding `<name>.yaml` (its node config) and `<name>/`
// (genesis.json and identity.pem), to be copied into the config directory of the machine
// that runs it, where the iot-chain package's unit `itc-node@<name>.service` finds them.
#pragma once

#include <string>

#include "itc/crypto.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/status.hpp"

namespace itc::cli {

struct BundleOptions {
  std::string out;
  // Where things are on the validator's machine (the iot-chain package's layout).
  std::string config_dir = "/etc/itc";
  std::string data_dir = "/var/lib/itc";
  std::string packages_dir = "/usr/lib/itc/packages";
  std::string vendor_key = "/usr/share/itc/vendor-keys/iot-chain-build.pub";
  std::string profiles_dir = "/usr/share/itc/profiles";
  std::string admin_listen = "127.0.0.1:8740";
  // Listen for peers on every interface at the genesis address's port (containers, where
  // the address's host name is a service name), rather than on the genesis address.
  bool listen_any = false;
  bool dag = false;
  // store-postgres instead of store-sqlite: a libpq connection string without password
  // (each validator gets its own schema), and the password file on the machine.
  std::string postgres;
  std::string postgres_password_file;
};

// The bundle directory of `validator` under `out`.
std::string bundle_dir(const std::string& out, const std::string& validator);

// Writes validator i's bundle: its key (mode 0600), the genesis, and its node config.
Status write_bundle(const BundleOptions& o, const v1::Genesis& genesis, int i,
                    const std::string& genesis_json, const crypto::Ed25519PrivateKey& key);

}  // namespace itc::cli
