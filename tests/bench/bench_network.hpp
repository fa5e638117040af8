// What the benchmarks of validator networks share: four PBFT validators (f = 1) on this
// machine, each a full node (pbft + store-sqlite loaded from their signed packages, votes
// fsynced, blocks stored) in this process, talking TLS over loopback; and the machine's
// Ed25519 verification ceiling, measured in the same run.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include "bench.hpp"
#include "free_port.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/validators.hpp"

namespace itc::bench {

constexpr int kValidators = 4;

struct Network {
  std::filesystem::path dir;
  v1::Genesis genesis;
  std::vector<std::unique_ptr<BenchNode>> nodes;

  // `extra` adds to the genesis (accounts, devices) before it is written.
  explicit Network(const std::string& pbft_extra,
                   const std::function<void(v1::Genesis&)>& extra = {}) {
    dir = std::filesystem::temp_directory_path() /
          ("itc-bench-net-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(dir);
    genesis.set_chain_id("itc-bench");
    genesis.set_min_fee(1);
    genesis.set_allow_unsigned_anchors(true);  // a benchmark network only
    for (int i = 0; i < kValidators; ++i) {
      auto key = *crypto::Ed25519PrivateKey::generate();
      (void)key.save_pem_file((dir / ("validator-" + std::to_string(i) + ".pem")).string());
      auto* v = genesis.add_validators();
      v->set_name("validator-" + std::to_string(i));
      v->set_public_key(key.public_key());
      v->set_address("127.0.0.1:" + std::to_string(testing::free_port()));
    }
    if (extra) extra(genesis);
    (void)write_file_atomically((dir / "genesis.json").string(), ledger::genesis_to_json(genesis),
                                0644);
    const std::string pkg = ITC_PACKAGE_DIR;
    for (int i = 0; i < kValidators; ++i) {
      const std::string name = "validator-" + std::to_string(i);
      std::string y =
          "node:\n  name: " + name + "\n  data_dir: data\n  admin: {listen: \"off\"}\n" +
          "  trusted_vendor_keys: [" + ITC_VENDOR_KEY + "]\nplugins:\n" +
          "  - name: store-sqlite\n    package: " + pkg + "/store-sqlite.itcpkg\n" +
          "  - name: pbft\n    package: " + pkg +
          "/pbft.itcpkg\n    config: {genesis_file: " + (dir / "genesis.json").string() +
          ", identity_key_file: " + (dir / (name + ".pem")).string() + pbft_extra + "}\n";
      nodes.push_back(std::make_unique<BenchNode>(y, false));
    }
  }
  ~Network() {
    nodes.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  template <typename Service>
  Service* service(int i) {
    return static_cast<Service*>(
        nodes[static_cast<std::size_t>(i)]->node->find_service(Service::kServiceName));
  }
};

// Ed25519 verifications per second on every core.
inline double verification_ceiling() {
  auto key = *crypto::Ed25519PrivateKey::generate();
  const std::string msg(200, 'x');
  const std::string sig = key.sign(msg);
  auto pub = *crypto::Ed25519PublicKey::from_raw(key.public_key());
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::uint64_t> total{0};
  std::vector<std::thread> pool;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      std::uint64_t n = 0;
      while (std::chrono::steady_clock::now() < end) n += pub.verify(msg, sig) ? 1 : 0;
      total += n;
    });
  }
  for (auto& t : pool) t.join();
  return static_cast<double>(total.load()) / 2.0;
}

}  // namespace itc::bench
