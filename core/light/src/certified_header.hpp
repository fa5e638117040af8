// The envelope and the certified header every message of the proof format starts with
// (schemas/light-proof-format.md): parsing them strictly, the block hash over the
// header's bytes, the quorum certificate checked against the trusted validator set, and
// how a certified header relates to the trusted one.
// Thread safety: none beyond the caller's State.
#pragma once

#include <cstddef>
#include <cstdint>

#include "itc/light/light_client.hpp"
#include "wire_reader.hpp"

namespace itc::light::internal {

inline constexpr std::uint8_t kMagic[4] = {'I', 'T', 'C', 'L'};
inline constexpr std::uint8_t kFormatVersion = 1;
inline constexpr std::size_t kMaxMessage = 64 * 1024;
inline constexpr std::size_t kMaxHeader = 4096;
inline constexpr std::size_t kMaxProducer = 64;  // a node name (host kMaxNodeNameLength)
inline constexpr std::size_t kMaxMilestoneTips = 64;

enum class Kind : std::uint8_t {
  kHeader = 1,
  kTx = 2,
  kReading = 3,
  kState = 4,
  kDagTx = 5,
  kEpochUpdate = 6,
};

struct Header {
  std::uint64_t height;
  std::uint64_t view;
  std::int64_t timestamp_us;
  const std::uint8_t* merkle_root;
  const std::uint8_t* tx_root;
  const std::uint8_t* state_root;  // nullptr where the chain keeps no state (solo)
  const std::uint8_t* dag_root;    // the DAG inclusion root; nullptr without a milestone
  std::uint32_t reading_count;
  std::uint32_t tx_count;
  // The validator sets, where the header commits to them (else both nullptr, epoch 0).
  std::uint64_t epoch;
  const std::uint8_t* validators_hash;
  const std::uint8_t* next_validators_hash;
  std::uint8_t hash[kHashSize];  // block hash computed over the header's bytes
};

struct QuorumCertificate {
  std::uint64_t view;
  std::uint32_t count;
  const std::uint8_t* signatures;  // count × (validator u16, signature 64 bytes)
};

// Reads magic, version and kind; the kind must be `expected`.
void read_envelope(wire::Reader& in, Kind expected, std::size_t total_size);
// Reads the header and its certificate and computes the block hash (nothing is checked
// against the State yet).
void read_certified_header(wire::Reader& in, Header* header, QuorumCertificate* qc);

// SHA-256 over the canonical bytes of the State's validator set
// (core/src/common/validator_set_bytes.hpp). False if the crypto port failed.
bool validator_set_hash(const State& state, std::uint8_t out[kHashSize]);
// A header that commits to its validator set must be of the client's epoch and set:
// kWrongEpoch, kValidatorSetMismatch. A header that does not (an older chain) passes.
Outcome check_epoch(const State& state, const Header& header);

// kOk iff the signers hold a quorum of the validators' power and each signature
// verifies over the commit bytes of (chain id, qc view, height, block hash).
Outcome check_quorum(const State& state, const Header& header, const QuorumCertificate& qc);

// How a certified header must relate to the trusted one.
enum class Use {
  kAdvance,    // a header update: newer adopted, the same kOk, older stale
  kInclusion,  // an inclusion proof: older fine (checked by its certificate), newer adopted
  kLatest,     // a state proof: older stale, newer adopted
};
// Checks `header` (already certified) against the trusted header; *newer says whether
// it should be adopted once the rest of the message checks out.
Outcome relate(const State& state, const Header& header, Use use, bool* newer);
// Makes `header` the trusted header.
void adopt(State* state, const Header& header);

// Reads the envelope and the certified header (the caller reads the rest of the message
// and checks its end before any signature is verified).
void read_certified(wire::Reader& in, Kind kind, std::size_t size, Header* header,
                    QuorumCertificate* qc);
// Checks the header's epoch and set (check_epoch), the certificate, and relates the header to the
// trusted one; the caller adopts it if *newer once the rest of the message checked out.
Outcome certify(const State& state, const Header& header, const QuorumCertificate& qc, Use use,
                bool* newer);

}  // namespace itc::light::internal
