// Byzantine peers' messages through the real Replica's handlers (pre-prepare, prepare,
// commit, checkpoint, view change, new view, status, block batches, forwards): each message
// is re-signed by the peer it claims to come from, so it passes the signature check the
// way a compromised validator's would, then goes through pbft::open_peer_frame and
// Replica::on_message, with clock ticks between.
// Input: byte 0 picks the replica (validator 0-3); then records of
//   [who: 1 byte][length: 2 bytes little-endian][serialized v1::ConsensusMessage]
// where who % 4 is the sender; a record from the replica itself is a tick instead,
// advancing the FakeClock by `who` ms. A truncated last record is cut to what is there.
#include <cstddef>
#include <cstdint>

#include "validator_network.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto& network = itc::fuzz::ValidatorNetwork::get();
  itc::fuzz::ReplicaUnderTest r(data[0]);
  std::size_t at = 1;
  while (at + 3 <= size) {
    const std::uint8_t who = data[at];
    const std::size_t length =
        std::min<std::size_t>(data[at + 1] | (data[at + 2] << 8), size - at - 3);
    const std::uint8_t* body = data + at + 3;
    at += 3 + length;
    const std::uint32_t sender = who % itc::fuzz::ValidatorNetwork::kValidators;
    if (sender == r.self) {
      r.advance(std::chrono::milliseconds(who));
      r.replica.on_tick();
      continue;
    }
    itc::v1::ConsensusMessage msg;
    if (!msg.ParseFromArray(body, static_cast<int>(length))) continue;
    msg.set_sender(sender);
    const itc::v1::Envelope sealed =
        itc::pbft::seal(msg, network.keys[sender], network.genesis.chain_id());
    itc::v1::Envelope envelope;
    std::vector<std::string> dropped;
    auto opened = itc::pbft::open_peer_frame(sealed.SerializeAsString(), network.validators, sender,
                                             false, &envelope, &dropped);
    if (opened.ok() && !opened->has_fetch_blocks()) r.replica.on_message(envelope, *opened);
    r.store_committed();
    r.advance(std::chrono::milliseconds(1));
  }
  r.replica.on_tick();
  r.store_committed();
  return 0;
}
