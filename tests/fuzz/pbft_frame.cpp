// A peer's raw bytes on a validator link, as PbftNode::on_frame takes them: the Envelope
// decoder, open() (sender, payload, signature) and the transaction checks
// (pbft::open_peer_frame), then the real Replica's handlers for whatever opens.
// Input: byte 0 picks the replica (validator 0-3), byte 1 the authenticated peer; the rest
// is the frame. Seeds are envelopes signed with ValidatorNetwork's fixed keys.
#include <cstddef>
#include <cstdint>

#include "validator_network.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  itc::fuzz::ReplicaUnderTest r(data[0]);
  const std::uint32_t peer = data[1] % itc::fuzz::ValidatorNetwork::kValidators;
  const std::string_view frame(reinterpret_cast<const char*>(data + 2), size - 2);
  itc::v1::Envelope envelope;
  std::vector<std::string> dropped;
  auto msg = itc::pbft::open_peer_frame(frame, itc::fuzz::ValidatorNetwork::get().validators, peer,
                                        false, &envelope, &dropped);
  if (msg.ok() && !msg->has_fetch_blocks()) r.replica.on_message(envelope, *msg);
  r.replica.on_tick();
  r.store_committed();
  return 0;
}
