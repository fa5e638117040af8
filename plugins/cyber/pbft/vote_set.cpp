#include "vote_set.hpp"

namespace itc::pbft {

VoteSet::Added VoteSet::add(std::uint64_t round, std::uint32_t sender, const std::string& digest,
                            const v1::Envelope& envelope) {
  auto [it, inserted] = by_round_[round].try_emplace(sender, digest, envelope);
  if (inserted) return Added::kNew;
  const bool same = it->second.first == digest;
  it->second = {digest, envelope};
  return same ? Added::kRepeated : Added::kEquivocation;
}

std::size_t VoteSet::matching(std::uint64_t round, const std::string& digest,
                              std::optional<std::uint32_t> except) const {
  std::size_t n = 0;
  for_each_matching(round, digest, except, [&](std::uint32_t, const v1::Envelope&) { ++n; });
  return n;
}

bool SentVotes::would_equivocate(VoteKind kind, std::uint64_t view, std::uint64_t seq,
                                 const std::string& digest) {
  auto [it, inserted] = votes_.try_emplace({kind, view, seq}, digest);
  return !inserted && it->second != digest;
}

void SentVotes::forget_up_to(std::uint64_t seq) {
  for (auto it = votes_.begin(); it != votes_.end();) {
    it = std::get<2>(it->first) <= seq ? votes_.erase(it) : std::next(it);
  }
}

}  // namespace itc::pbft
