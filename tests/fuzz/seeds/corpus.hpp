// Where the seed writer puts its inputs: <root>/<target>/<name>, one file per input. The
// writers of each input family are declared here (peer_seeds.cpp, device_seeds.cpp,
// operator_seeds.cpp).
// Thread safety: none (one thread writes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "itc/v1/ledger.pb.h"

namespace itc::fuzz {

class Corpus {
 public:
  Corpus(std::filesystem::path root, std::filesystem::path source_dir)
      : root_(std::move(root)), source_dir_(std::move(source_dir)) {}

  // Writes one input; throws std::runtime_error naming the file if it cannot.
  void add(std::string_view target, std::string_view name, std::string_view bytes) {
    const std::filesystem::path dir = root_ / target;
    std::filesystem::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
    ++written_;
  }
  // The source tree (deploy/ examples and profiles are seeds too).
  const std::filesystem::path& source_dir() const { return source_dir_; }
  std::size_t written() const { return written_; }

 private:
  std::filesystem::path root_;
  std::filesystem::path source_dir_;
  std::size_t written_ = 0;
};

// Little-endian 16-bit length prefix, as the record-based targets read it.
inline std::string u16le(std::size_t n) {
  return {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff)};
}

// pbft_frame, pbft_replica, ledger_block, signed_frame: from a 4-validator network of
// real Replicas and real signing.
void write_peer_seeds(Corpus& corpus);
// light_proof: header updates, tx, reading and state proofs (itc_light_prover) of the
// blocks such a network committed (heights in order), as a node would serve them.
void write_light_seeds(Corpus& corpus, const std::vector<v1::Block>& blocks);
// sparkplug, json_payload, modbus_registers, store_readings.
void write_device_seeds(Corpus& corpus);
// node_config, device_profile, plugin_config, package_manifest.
void write_operator_seeds(Corpus& corpus);
// analytics_decode: a sketch of each kind, a sum proof and a node's partial.
void write_analytics_seeds(Corpus& corpus);

}  // namespace itc::fuzz
