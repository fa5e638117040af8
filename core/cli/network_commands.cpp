// `itc network init`: the keys and genesis file of a new main-chain network.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/validators.hpp"
#include "network_bundles.hpp"

namespace itc::cli {
namespace {

struct NetworkInitOptions {
  std::uint32_t validators = 4;
  std::string out;
  std::string chain_id = "itc-local";
  std::string host = "127.0.0.1";
  std::uint32_t base_port = 7100;
  std::uint64_t fund = 1'000'000'000;
  std::uint32_t accounts = 0;
  std::uint64_t min_fee = 1;
  std::uint32_t commitment_period_s = 60;
  bool allow_unsigned_anchors = false;
  std::vector<std::string> hosts;  // validator i's peer address; overrides host/base_port
  bool bundles = false;
  BundleOptions bundle;
};

std::string validator_file(const std::string& dir, std::uint32_t i) {
  return dir + "/validator-" + std::to_string(i) + ".pem";
}
std::string account_file(const std::string& dir, std::uint32_t j) {
  return dir + "/account-" + std::to_string(j) + ".pem";
}

// Validator i's peer address: the i-th of --hosts, or host:base-port+i.
std::string peer_address(const NetworkInitOptions& o, std::uint32_t i) {
  if (!o.hosts.empty()) return o.hosts[i];
  return o.host + ":" + std::to_string(o.base_port + i);
}

Status check_hosts(const NetworkInitOptions& o) {
  if (o.hosts.empty()) return Status::Ok();
  if (o.hosts.size() != o.validators) {
    return Status::InvalidArgument("--hosts names " + std::to_string(o.hosts.size()) +
                                   " addresses for " + std::to_string(o.validators) +
                                   " validators; give one host:port per validator");
  }
  for (const std::string& h : o.hosts) {
    const auto colon = h.rfind(':');
    const std::string port = colon == std::string::npos ? "" : h.substr(colon + 1);
    const bool digits = !port.empty() && port.size() <= 5 &&
                        port.find_first_not_of("0123456789") == std::string::npos;
    if (colon == 0 || !digits || std::stoul(port) == 0 || std::stoul(port) > 65535) {
      return Status::InvalidArgument("--hosts entry '" + h +
                                     "' is not host:port (port 1-65535), e.g. v0.plant:7100");
    }
  }
  return Status::Ok();
}

int run_network_init(const NetworkInitOptions& o) {
  namespace fs = std::filesystem;
  if (Status s = check_hosts(o); !s.ok()) return fail(s);
  if (o.hosts.empty() && o.base_port + o.validators - 1 > 65535) {
    return fail(Status::InvalidArgument("--base-port " + std::to_string(o.base_port) + " + " +
                                        std::to_string(o.validators) +
                                        " validators runs past port 65535"));
  }
  const std::string genesis_path = o.out + "/genesis.json";
  // Nothing is overwritten: a second init must not replace the keys of a running network.
  std::vector<std::string> files = {genesis_path};
  for (std::uint32_t i = 0; i < o.validators; ++i) {
    files.push_back(o.bundles ? bundle_dir(o.out, "validator-" + std::to_string(i))
                              : validator_file(o.out, i));
  }
  for (std::uint32_t j = 0; j < o.accounts; ++j) files.push_back(account_file(o.out, j));
  for (const std::string& f : files) {
    std::error_code ec;
    if (fs::exists(f, ec)) {
      return fail(Status::AlreadyExists(f + " already exists; network init never overwrites "
                                            "a network (choose another --out)"));
    }
  }
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) return fail(Status::Internal("cannot create " + o.out + ": " + ec.message()));

  v1::Genesis genesis;
  genesis.set_chain_id(o.chain_id);
  genesis.set_timestamp_us(std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
  genesis.set_min_fee(o.min_fee);
  genesis.set_commitment_period_s(o.commitment_period_s);
  genesis.set_allow_unsigned_anchors(o.allow_unsigned_anchors);
  auto new_key = [](const std::string& path) -> Result<std::string> {
    auto key = crypto::Ed25519PrivateKey::generate();
    if (!key.ok()) return key.status();
    ITC_RETURN_IF_ERROR(key->save_pem_file(path));  // mode 0600
    return key->public_key();
  };
  // With bundles, a validator's key is written only into its own bundle, once the genesis
  // naming it is complete.
  std::vector<crypto::Ed25519PrivateKey> bundle_keys;
  for (std::uint32_t i = 0; i < o.validators; ++i) {
    Result<std::string> pub = std::string();
    if (o.bundles) {
      auto key = crypto::Ed25519PrivateKey::generate();
      if (!key.ok()) return fail(key.status());
      pub = key->public_key();
      bundle_keys.push_back(std::move(*key));
    } else {
      pub = new_key(validator_file(o.out, i));
    }
    if (!pub.ok()) return fail(pub.status());
    v1::Validator* v = genesis.add_validators();
    v->set_name("validator-" + std::to_string(i));
    v->set_public_key(*pub);
    v->set_address(peer_address(o, i));
  }
  for (std::uint32_t j = 0; j < o.accounts; ++j) {
    auto pub = new_key(account_file(o.out, j));
    if (!pub.ok()) return fail(pub.status());
    v1::Allocation* a = genesis.add_allocations();
    a->set_account(*pub);
    a->set_balance(o.fund);
  }
  // Check what is written with the same rules a validator applies when it loads it.
  const std::string json = ledger::genesis_to_json(genesis);
  auto checked = ledger::parse_genesis(json, genesis_path);
  if (!checked.ok()) return fail(checked.status());
  if (Status s = write_file_atomically(genesis_path, json + "\n", 0644); !s.ok()) return fail(s);
  if (o.bundles) {
    BundleOptions b = o.bundle;
    b.out = o.out;
    for (std::uint32_t i = 0; i < o.validators; ++i) {
      Status s = write_bundle(b, genesis, static_cast<int>(i), json, bundle_keys[i]);
      if (!s.ok()) return fail(s);
    }
  }

  const std::uint32_t f = (o.validators - 1) / 3;
  std::cout << "network " << o.chain_id << ": " << o.validators << " validators (tolerates " << f
            << " faulty), " << o.accounts << " funded accounts\n"
            << "  " << genesis_path << "  genesis hash "
            << crypto::to_hex(ledger::genesis_hash(genesis)) << "\n";
  for (std::uint32_t i = 0; i < o.validators; ++i) {
    const std::string name = "validator-" + std::to_string(i);
    std::cout << "  " << (o.bundles ? bundle_dir(o.out, name) + "/" : validator_file(o.out, i))
              << "  " << name << " at " << genesis.validators(static_cast<int>(i)).address()
              << "\n";
  }
  for (std::uint32_t j = 0; j < o.accounts; ++j) {
    std::cout << "  " << account_file(o.out, j) << "  "
              << crypto::to_hex(genesis.allocations(static_cast<int>(j)).account()) << " holds "
              << o.fund << "\n";
  }
  if (o.bundles) {
    std::cout << "copy each validator-i-bundle/'s contents into " << o.bundle.config_dir
              << "/ on its machine (the identity key stays mode 0600, owned by itc), then: "
                 "systemctl enable --now itc-node@validator-i.service\n";
  }
  if (o.validators != 3 * f + 1) {
    std::cout << "note: " << o.validators << " validators tolerate no more faults than "
              << 3 * f + 1 << "; PBFT networks usually have 3f+1\n";
  }
  return kExitOk;
}

}  // namespace

void add_network_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("network", "Create main-chain networks");
  group->require_subcommand(1);

  auto o = std::make_shared<NetworkInitOptions>();
  auto* init = group->add_subcommand(
      "init",
      "Create the keys and genesis.json of a new network: validator-i.pem for each "
      "validator, account-j.pem for each funded account (private keys, mode 0600), and "
      "genesis.json naming validator-i at host:base-port+i");
  init->add_option("--validators", o->validators, "Number of validators (n = 3f+1)")
      ->required()
      ->check(CLI::Range(1, 100));
  init->add_option("--out", o->out, "Directory to write into (created if missing)")->required();
  init->add_option("--chain-id", o->chain_id, "Network id every transaction is signed for")
      ->capture_default_str();
  init->add_option("--host", o->host, "Host of every validator's peer address")
      ->capture_default_str();
  init->add_option("--base-port", o->base_port, "Peer port of validator-0; validator-i gets +i")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  init->add_option("--accounts", o->accounts, "Number of funded accounts to create")
      ->capture_default_str();
  init->add_option("--fund", o->fund, "Balance of each funded account")->capture_default_str();
  init->add_option("--min-fee", o->min_fee, "Minimum fee of a transaction")->capture_default_str();
  init->add_option("--commitment-period", o->commitment_period_s,
                   "Seconds per reading commitment (ChainCode: one per committed device and "
                   "metric per period)")
      ->check(CLI::Range(30u, 86400u))
      ->capture_default_str();
  init->add_flag("--allow-unsigned-anchors", o->allow_unsigned_anchors,
                 "Accept anchors without signature (benchmark networks only)");
  init->add_option("--hosts", o->hosts,
                   "Peer address (host:port) of each validator in turn, comma-separated: "
                   "a network of machines (replaces --host and --base-port)")
      ->delimiter(',');
  init->add_flag("--bundles", o->bundles,
                 "Write one bundle per validator, validator-i-bundle/ (its node config, the "
                 "genesis and its key), to copy into /etc/itc on its machine, instead of "
                 "validator-i.pem files");
  init->add_option("--config-dir", o->bundle.config_dir,
                   "With --bundles: the config directory on the machines")
      ->capture_default_str();
  init->add_option("--data-dir", o->bundle.data_dir,
                   "With --bundles: the parent of each node's data directory on its machine")
      ->capture_default_str();
  init->add_option("--packages-dir", o->bundle.packages_dir,
                   "With --bundles: where the signed plugin packages are on the machines")
      ->capture_default_str();
  init->add_flag("--listen-any", o->bundle.listen_any,
                 "With --bundles: listen for peers on every interface at the address's port "
                 "(containers, where the host is a service name)");
  init->add_flag("--dag", o->bundle.dag, "With --bundles: the validators carry the DAG");
  init->add_option("--postgres", o->bundle.postgres,
                   "With --bundles: use store-postgres with this libpq connection string (no "
                   "password; each validator its own schema) instead of store-sqlite");
  init->add_option("--postgres-password-file", o->bundle.postgres_password_file,
                   "With --postgres: the password file's path on the machines");
  init->footer(
      "Examples:\n"
      "  itc network init --validators 4 --accounts 2 --out net/\n"
      "  itc chain verify-qc --genesis net/genesis.json --height 1 --token-file ...\n"
      "  itc network init --validators 4 --bundles --out site/ \\\n"
      "      --hosts v0.plant:7100,v1.plant:7100,v2.plant:7100,v3.plant:7100");
  init->callback([&action, o] { action = [o] { return run_network_init(*o); }; });
}

}  // namespace itc::cli
