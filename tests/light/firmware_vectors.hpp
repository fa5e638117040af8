// Test vectors for the verifier on a Cortex-M4 (core/light/firmware): made on the host
// from a real chain — LedgerState with 4 validators whose own keys certify each block
// (3 of 4 sign), as light_chain.hpp builds it — and written in the format of
// core/light/firmware/vector_set.hpp. Each vector says what a lamp must decide (the
// verdict the forgery is made to provoke); light_firmware_qemu_test checks the host
// library and the firmware both decide exactly that, and itc-light-mcu-bench measures it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "itc/canonical_bytes.hpp"
#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/light/state_file.hpp"
#include "light_chain.hpp"
#include "proof_bytes.hpp"
#include "vector_set.hpp"

namespace itc::test {

struct FirmwareVector {
  std::string name;
  std::string expected;  // the line format_result must write (vector_runner.hpp)
  std::string record;    // the record's bytes, without its length prefix
};

inline void put_be(std::string* out, std::uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The state bucket a key falls in (the first 12 bits of SHA-256(key), itc/chain/state.hpp):
// the detail of kAbsent and kStateRootMismatch.
inline std::string bucket_of(const std::string& key) {
  const std::string d = crypto::sha256(key);
  const unsigned b0 = static_cast<unsigned char>(d[0]);
  const unsigned b1 = static_cast<unsigned char>(d[1]);
  return std::to_string((b0 << 4) | (b1 >> 4));
}

// What a vector carries besides its name and kind (vector_set.hpp's record layout).
struct VectorInput {
  light::State state{};
  std::string message;
  std::string device_id;
  std::string signer = std::string(32, '\0');
  std::string signature = std::string(64, '\0');
  std::string signed_bytes;
  std::int64_t now_us = 0;
  std::int64_t max_header_age_us = 0;
};

inline std::string vector_record(light::vectors::VectorKind kind, const std::string& name,
                                 const VectorInput& in) {
  std::uint8_t state[light::kMaxStateBytes];
  const std::size_t state_size = light::encode_state(in.state, state, sizeof state);
  if (state_size == 0) qFatal("vector %s: the state does not encode", name.c_str());
  std::string r;
  put_be(&r, static_cast<std::uint8_t>(kind), 1);
  put_be(&r, name.size(), 1);
  r += name;
  put_be(&r, state_size, 2);
  r.append(reinterpret_cast<const char*>(state), state_size);
  put_be(&r, in.message.size(), 4);
  r += in.message;
  put_be(&r, in.device_id.size(), 1);
  r += in.device_id;
  r += in.signer;
  r += in.signature;
  put_be(&r, in.signed_bytes.size(), 2);
  r += in.signed_bytes;
  put_be(&r, static_cast<std::uint64_t>(in.now_us), 8);
  put_be(&r, static_cast<std::uint64_t>(in.max_header_age_us), 8);
  return r;
}

// The vector file: "ITCV", version, then each record with its u32 length.
inline std::string vector_file(const std::vector<FirmwareVector>& vectors) {
  std::string f(reinterpret_cast<const char*>(light::vectors::kFileMagic), 4);
  f.push_back(static_cast<char>(light::vectors::kFileVersion));
  for (const FirmwareVector& v : vectors) {
    put_be(&f, v.record.size(), 4);
    f += v.record;
  }
  return f;
}

// A header update (kind 1) checked against `state`.
inline FirmwareVector header_vector(const std::string& name, const light::State& state,
                                    const std::string& update, const std::string& expected) {
  VectorInput in;
  in.state = state;
  in.message = update;
  return {name, expected, vector_record(light::vectors::VectorKind::kHeaderUpdate, name, in)};
}

// An owner-signed command (itc.v1.Command, signed as sign_command does) to `device` with
// `proof` attached, checked against `state` at `now_us`; `corrupt_signature` flips a bit
// of the command's signature.
inline FirmwareVector command_vector(const std::string& name, const light::State& state,
                                     const crypto::Ed25519PrivateKey& by, const std::string& device,
                                     const std::string& proof, const std::string& expected,
                                     std::int64_t now_us, std::int64_t max_header_age_us,
                                     bool corrupt_signature = false) {
  v1::Command c;
  c.set_device_id(device);
  c.set_action(v1::ACTION_ON);
  c.set_nonce(7);
  sign_command(&c, by);
  VectorInput in;
  in.state = state;
  in.message = proof;
  in.device_id = device;
  in.signer = by.public_key();
  in.signature = c.signature();
  if (corrupt_signature) in.signature[10] = static_cast<char>(in.signature[10] ^ 0x04);
  in.signed_bytes = command_signing_bytes(c);
  in.now_us = now_us;
  in.max_header_age_us = max_header_age_us;
  return {name, expected, vector_record(light::vectors::VectorKind::kCommand, name, in)};
}

// The chain: alice registers lamp-1 (block 1), bob pays alice (block 2), alice gives
// lamp-1 to bob (block 3); a proof of lamp-1's owner is kept from block 2 (alice's).
// Then the vectors: header updates and owner-signed commands, good and forged.
inline std::vector<FirmwareVector> make_firmware_vectors() {
  using light::vectors::VectorKind;
  const v1::Genesis genesis = light_genesis();
  ledger::LedgerState state(genesis);
  const crypto::Ed25519PrivateKey alice = key_from('a');
  const crypto::Ed25519PrivateKey bob = key_from('b');
  std::vector<v1::Block> blocks;
  const auto add = [&](const std::vector<v1::Transaction>& txs, const std::vector<int>& signers) {
    const std::string prev = blocks.empty() ? std::string(32, '\0') : blocks.back().hash();
    blocks.push_back(commit_certified_block(state, prev, txs, signers).block);
  };
  const auto update = [](const v1::Block& b) {
    return light::prover::header_update(b.header(), b.qc()).value();
  };
  add({signed_register(alice, "lamp-1", 1), signed_transfer(alice, bob.public_key(), 500, 2)},
      {0, 1, 2});
  add({signed_transfer(bob, alice.public_key(), 100, 1)}, {1, 2, 3});
  const std::string alice_proof =
      light::prover::state_proof(state, blocks[1], ledger::device_key("lamp-1")).value();
  add({signed_device_transfer(alice, "lamp-1", bob.public_key(), 3)}, {0, 2, 3});
  const v1::Block head = blocks.back();
  const std::string bob_proof =
      light::prover::state_proof(state, head, ledger::device_key("lamp-1")).value();

  light::State at_genesis{};
  if (!light::trust_genesis(genesis, &at_genesis).ok()) qFatal("trust_genesis");
  light::State at_head = at_genesis;
  const std::string head_update = update(head);
  if (!light::apply_header(&at_head, bytes_of(head_update), head_update.size()).ok()) {
    qFatal("apply_header");
  }
  constexpr std::int64_t kMinute = 60'000'000;
  const std::int64_t now = head.header().timestamp_us() + 1'000'000;

  std::vector<FirmwareVector> out;
  const auto header = [&](const std::string& name, const light::State& s, const std::string& m,
                          const std::string& expected) {
    out.push_back(header_vector(name, s, m, expected));
  };
  const auto command = [&](const std::string& name, const light::State& s,
                           const crypto::Ed25519PrivateKey& by, const std::string& device,
                           const std::string& proof, const std::string& expected,
                           std::int64_t at = 0, bool corrupt_signature = false) {
    out.push_back(command_vector(name, s, by, device, proof, expected, at == 0 ? now : at, kMinute,
                                 corrupt_signature));
  };

  // Header updates.
  header("header_3_of_4", at_genesis, head_update, "header ok 0");
  header("header_again", at_head, head_update, "header ok 0");
  header("header_stale", at_head, update(blocks[1]), "header stale_header 2");
  {
    v1::Block forged = head;  // validator 2's commit signature altered
    std::string* sig = forged.mutable_qc()->mutable_signatures(1)->mutable_signature();
    (*sig)[5] = static_cast<char>((*sig)[5] ^ 0x20);
    header("header_bad_qc_signature", at_genesis, update(forged),
           "header bad_signature " + std::to_string(forged.qc().signatures(1).validator()));
    v1::Block two = head;  // only 2 of 4 signatures
    two.mutable_qc()->mutable_signatures()->RemoveLast();
    header("header_2_of_4", at_genesis, update(two), "header too_few_signers 2");
  }
  header("header_truncated", at_genesis, head_update.substr(0, head_update.size() - 3),
         "header truncated " +  // at the QC's signature list (read as a whole)
             std::to_string(qc_offset(head_update) + 8 + 1));

  // Commands to lamp-1, owned by bob since block 3.
  command("command_owner", at_genesis, bob, "lamp-1", bob_proof, "command accepted ok 0");
  command("command_owner_trusted_head", at_head, bob, "lamp-1", bob_proof, "command accepted ok 0");
  command("command_old_owner", at_genesis, alice, "lamp-1", bob_proof, "command not_owner ok 0");
  command("command_corrupted_signature", at_genesis, bob, "lamp-1", bob_proof,
          "command signature_refused - 0", 0, true);
  command("command_stale_proof", at_head, alice, "lamp-1", alice_proof,
          "command proof_refused stale_header 2");
  command("command_header_too_old", at_genesis, bob, "lamp-1", bob_proof,
          "command header_too_old ok 0", now + 2 * kMinute);
  {
    // Another device's record (genesis-lamp-7, also bob's) offered for lamp-1: refused at
    // the proof's key, which follows the certified header and its 3 signatures.
    const std::string other =
        light::prover::state_proof(state, head, ledger::device_key("genesis-lamp-7")).value();
    command("command_swapped_proof", at_genesis, bob, "lamp-1", other,
            "command proof_refused key_mismatch " +
                std::to_string(qc_offset(other) + 8 + 1 + 3 * (2 + 64)));
  }
  command("command_not_registered", at_genesis, bob, "lamp-9",
          light::prover::state_proof(state, head, ledger::device_key("lamp-9")).value(),
          "command not_registered absent " + bucket_of(ledger::device_key("lamp-9")));
  command("command_no_proof", at_genesis, bob, "lamp-1", "", "command no_proof ok 0");
  {
    // The owner in the proven record changed to alice's last byte: the bucket no longer
    // leads to the certified state root.
    const std::string record = deterministic_bytes(*state.device("lamp-1"));
    const std::size_t owner_at =
        bob_proof.find(record) + record.find(bob.public_key()) + light::kPublicKeySize - 1;
    command("command_altered_owner", at_genesis, bob, "lamp-1", flipped(bob_proof, owner_at),
            "command proof_refused state_root_mismatch " + bucket_of(ledger::device_key("lamp-1")));
    command("command_altered_path", at_genesis, bob, "lamp-1",
            flipped(bob_proof, bob_proof.size() - 1),
            "command proof_refused state_root_mismatch " + bucket_of(ledger::device_key("lamp-1")));
    command("command_proof_bad_qc", at_genesis, bob, "lamp-1",
            flipped(bob_proof, qc_offset(bob_proof) + 8 + 1 + 2 + 20),  // validator 0's
            "command proof_refused bad_signature 0");
  }
  return out;
}

}  // namespace itc::test
