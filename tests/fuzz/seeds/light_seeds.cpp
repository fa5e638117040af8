// Seeds of light_proof: what a node serves a light client about blocks a network of real
// Replicas committed (validator_network.hpp): header updates, transaction and reading
// inclusion, state proofs of account-0 and of an absent device, encoded by
// itc_light_prover, and a client's state file. Byte 0 picks the check (see light_proof.cpp).
#include "itc/light/genesis_trust.hpp"
#include "itc/light/prover.hpp"
#include "itc/light/state_file.hpp"
#include "seeds/corpus.hpp"
#include "validator_network.hpp"

namespace itc::fuzz {

void write_light_seeds(Corpus& corpus, const std::vector<v1::Block>& blocks) {
  const auto& net = ValidatorNetwork::get();
  ledger::LedgerState state(net.genesis);
  const std::string account_key = ledger::account_key(net.account.public_key());
  // A client's state file after it trusted the first block.
  light::State client{};
  if (!blocks.empty() && light::trust_genesis(net.genesis, &client).ok()) {
    const std::string update =
        light::prover::header_update(blocks[0].header(), blocks[0].qc()).value();
    (void)light::apply_header(&client, reinterpret_cast<const std::uint8_t*>(update.data()),
                              update.size());
    std::uint8_t file[light::kMaxStateBytes];
    const std::size_t n = light::encode_state(client, file, sizeof file);
    corpus.add("light_proof", "state-file",
               '\5' + std::string(reinterpret_cast<const char*>(file), n));
  }
  // An epoch update's layout around a real certified header (that does not end its epoch,
  // since these replicas do not change sets): kind 6, the next epoch, the genesis set.
  if (!blocks.empty()) {
    std::string update = light::prover::header_update(blocks[0].header(), blocks[0].qc()).value();
    update[5] = 6;
    update += std::string(7, '\0') + '\1';
    update += static_cast<char>(net.genesis.validators_size());
    for (const v1::Validator& v : net.genesis.validators()) {
      update += v.public_key() + std::string(7, '\0') + '\1';
    }
    corpus.add("light_proof", "epoch-update-1", '\7' + update);
  }
  for (const v1::Block& block : blocks) {
    const std::string h = std::to_string(block.header().height());
    if (block.header().height() > 3) break;
    corpus.add("light_proof", "header-" + h,
               '\0' + light::prover::header_update(block.header(), block.qc()).value());
    if (block.transactions_size() > 0) {
      corpus.add("light_proof", "tx-" + h, '\1' + light::prover::tx_proof(block, 0).value());
    }
    if (block.readings_size() > 0) {
      const int last = block.readings_size() - 1;
      corpus.add("light_proof", "reading-" + h,
                 '\2' + light::prover::reading_proof(block, last).value());
    }
    // The state after this block, replayed as the replicas executed it.
    auto draft = state.begin_block(
        net.validators.validator(net.validators.primary_of(block.header().view())).public_key());
    for (const v1::Transaction& tx : block.transactions()) (void)draft.apply(tx);
    state.push_pending(std::move(draft));
    (void)state.commit_oldest();
    auto proof = light::prover::state_proof(state, block, account_key);
    if (!proof.ok()) continue;  // the replay differs: no state seed for this height
    corpus.add("light_proof", "account-" + h, '\3' + *proof);
    corpus.add(
        "light_proof", "absent-" + h,
        '\4' + light::prover::state_proof(state, block, ledger::device_key("lamp-9")).value());
  }
}

}  // namespace itc::fuzz
