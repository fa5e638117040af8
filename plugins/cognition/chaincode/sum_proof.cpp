#include "sum_proof.hpp"

#include <set>

#include "itc/crypto.hpp"

namespace itc::analytics {
namespace {

std::string be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
  return out;
}

// e = SHA-256(tag || H || count || V || P || len(context) || context || T) mod n.
p256::Bn challenge(std::uint64_t count, std::int64_t value, const EC_POINT* statement,
                   std::string_view context, const EC_POINT* nonce_commitment) {
  crypto::Sha256 h;
  h.update(kSumProofTag);
  h.update(p256::encode(p256::group().h));
  h.update(be64(count));
  h.update(be64(static_cast<std::uint64_t>(value)));
  h.update(p256::encode(statement));
  h.update(be64(context.size()));
  h.update(context);
  h.update(p256::encode(nonce_commitment));
  return p256::digest_scalar(h.finish());
}

// k = SHA-256(nonce tag || R || count || V || len(context) || context) mod n: secret
// (R is), and different for every statement R is used in, so s never reveals R (as in
// EdDSA, a proof is deterministic and needs no random source).
p256::Bn nonce(const p256::Bn& blinding, std::uint64_t count, std::int64_t value,
               std::string_view context) {
  crypto::Sha256 h;
  h.update(kSumProofTag);
  h.update("/nonce");
  h.update(p256::scalar_bytes(blinding.get()));
  h.update(be64(count));
  h.update(be64(static_cast<std::uint64_t>(value)));
  h.update(be64(context.size()));
  h.update(context);
  p256::Bn k = p256::digest_scalar(h.finish());
  if (BN_is_zero(k.get()) == 1) p256::check(BN_one(k.get()), "BN_one");
  return k;
}

}  // namespace

Result<v1::SumProof> prove_sum(const Opening& total, std::uint64_t count,
                               std::string_view context) {
  if (context.size() > kMaxContextBytes)
    return Status::InvalidArgument("context: at most " + std::to_string(kMaxContextBytes) +
                                   " bytes, got " + std::to_string(context.size()));
  auto r = p256::scalar_from_bytes(total.blinding, "blinding");
  if (!r.ok()) return r.status();
  const auto& g = p256::group();
  auto ctx = p256::new_ctx();
  // The prover's statement R·H is what an honest verifier computes as ΣC_i − V·G.
  auto statement = p256::new_point();
  p256::check(EC_POINT_mul(g.curve, statement.get(), nullptr, g.h, r->get(), ctx.get()),
              "EC_POINT_mul");
  const auto k = nonce(*r, count, total.value, context);
  auto t = p256::new_point();
  p256::check(EC_POINT_mul(g.curve, t.get(), nullptr, g.h, k.get(), ctx.get()), "EC_POINT_mul");
  const auto e = challenge(count, total.value, statement.get(), context, t.get());
  auto s = p256::new_bn();
  p256::check(BN_mod_mul(s.get(), e.get(), r->get(), g.order, ctx.get()), "BN_mod_mul");
  p256::check(BN_mod_add(s.get(), s.get(), k.get(), g.order, ctx.get()), "BN_mod_add");
  v1::SumProof proof;
  proof.set_value(total.value);
  proof.set_count(count);
  proof.set_context(std::string(context));
  proof.set_nonce_commitment(p256::encode(t.get()));
  proof.set_response(p256::scalar_bytes(s.get()));
  return proof;
}

Status verify_sum(std::span<const std::string> commitments, const v1::SumProof& proof,
                  unsigned threads) {
  if (proof.context().size() > kMaxContextBytes)
    return Status::InvalidArgument("context: at most " + std::to_string(kMaxContextBytes) +
                                   " bytes, got " + std::to_string(proof.context().size()));
  if (proof.count() != commitments.size())
    return Status::PermissionDenied("count: the proof is for " + std::to_string(proof.count()) +
                                    " commitments, " + std::to_string(commitments.size()) +
                                    " were given");
  auto t = p256::decode(proof.nonce_commitment(), "nonce_commitment");
  if (!t.ok()) return t.status();
  auto s = p256::scalar_from_bytes(proof.response(), "response");
  if (!s.ok()) return s.status();
  auto sum = sum_points(commitments, threads);
  if (!sum.ok()) return sum.status();
  const auto& g = p256::group();
  auto ctx = p256::new_ctx();
  // P = ΣC_i − V·G
  auto statement = p256::new_point();
  const auto v = p256::scalar_from_int64(proof.value());
  p256::check(EC_POINT_mul(g.curve, statement.get(), v.get(), nullptr, nullptr, ctx.get()),
              "EC_POINT_mul");
  p256::check(EC_POINT_invert(g.curve, statement.get(), ctx.get()), "EC_POINT_invert");
  p256::check(EC_POINT_add(g.curve, statement.get(), statement.get(), sum->get(), ctx.get()),
              "EC_POINT_add");
  const auto e =
      challenge(proof.count(), proof.value(), statement.get(), proof.context(), t->get());
  // s·H == T + e·P
  auto lhs = p256::new_point();
  p256::check(EC_POINT_mul(g.curve, lhs.get(), nullptr, g.h, s->get(), ctx.get()), "EC_POINT_mul");
  auto rhs = p256::new_point();
  p256::check(EC_POINT_mul(g.curve, rhs.get(), nullptr, statement.get(), e.get(), ctx.get()),
              "EC_POINT_mul");
  p256::check(EC_POINT_add(g.curve, rhs.get(), rhs.get(), t->get(), ctx.get()), "EC_POINT_add");
  const int cmp = EC_POINT_cmp(g.curve, lhs.get(), rhs.get(), ctx.get());
  if (cmp < 0) p256::check(0, "EC_POINT_cmp");
  if (cmp != 0)
    return Status::PermissionDenied(
        "the proof does not verify: " + std::to_string(proof.value()) +
        " is not the sum inside these commitments, or the proof was made for another statement");
  return Status::Ok();
}

std::string partial_context(std::string_view job_id, std::string_view node_id) {
  std::string out(job_id);
  out.push_back('\0');
  out.append(node_id);
  return out;
}

Result<v1::PartialSum> prove_partial(std::string_view job_id, std::string_view node_id,
                                     const Opening& total, std::uint64_t count) {
  auto proof = prove_sum(total, count, partial_context(job_id, node_id));
  if (!proof.ok()) return proof.status();
  v1::PartialSum partial;
  partial.set_node_id(std::string(node_id));
  *partial.mutable_proof() = std::move(*proof);
  return partial;
}

Result<MergedSum> merge_partials(std::string_view job_id, std::span<const NodePartial> partials) {
  MergedSum merged;
  std::set<std::string> seen;
  for (const auto& p : partials) {
    const std::string& node = p.partial.node_id();
    const std::string who = "node " + node;
    if (!seen.insert(node).second)
      return Status::InvalidArgument(who + ": sent more than one partial for this job");
    if (p.partial.proof().context() != partial_context(job_id, node))
      return Status::PermissionDenied(who + ": the proof is not for this job and node");
    ITC_RETURN_IF_ERROR(verify_sum(p.commitments, p.partial.proof()).WithContext(who));
    if (__builtin_add_overflow(merged.value, p.partial.proof().value(), &merged.value))
      return Status::InvalidArgument(who + ": the total overflows 64 bits");
    merged.count += p.partial.proof().count();
  }
  return merged;
}

}  // namespace itc::analytics
