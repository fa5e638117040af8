#include "slot.hpp"

#include <cassert>

namespace itc::pbft {

void Slot::accept(std::uint64_t in_view, const v1::Envelope& env, v1::Block accepted_block,
                  std::string block_digest) {
  assert(phase.get() == SlotPhase::kEmpty);
  phase.clear();
  phase.advance(SlotPhase::kPrePrepared);
  view = in_view;
  pre_prepare = env;
  block = std::move(accepted_block);
  digest = std::move(block_digest);
}

}  // namespace itc::pbft
