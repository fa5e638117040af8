// libitc-light against a real chain (light_chain.hpp): headers certified by the
// validators' keys, transactions, readings, account and device state proved by the node
// side and checked by the client; each way a lying node can change a proof is refused
// with its reason.
#include <QtTest>
#include <cstring>

#include "itc/canonical_bytes.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/light/state_file.hpp"
#include "light_chain.hpp"

using namespace itc;
using itc::test::bytes_of;
using itc::test::LightChain;

namespace {

QString name(light::Outcome o) { return QString::fromLatin1(light::verdict_name(o.verdict)); }

light::Outcome update(light::State* s, const std::string& m) {
  return light::apply_header(s, bytes_of(m), m.size());
}

light::Outcome prove_state(light::State* s, const std::string& m, const std::string& key,
                           light::Bytes* value) {
  return light::verify_state(s, bytes_of(m), m.size(), bytes_of(key), key.size(), value);
}

std::string flipped(std::string m, std::size_t at) {
  m[at] = static_cast<char>(m[at] ^ 0x01);
  return m;
}

}  // namespace

class LightClientTest : public QObject {
  Q_OBJECT

 private slots:
  void adopts_certified_headers_in_order_and_refuses_older() {
    LightChain chain;
    light::State s = chain.trusting();
    QCOMPARE(name(update(&s, chain.update(chain.blocks[1]))), QString("ok"));
    QCOMPARE(s.header.height, 2u);
    QVERIFY(std::memcmp(s.header.hash, chain.blocks[1].hash().data(), 32) == 0);
    QCOMPARE(name(update(&s, chain.update(chain.blocks[1]))), QString("ok"));  // the same again
    QCOMPARE(name(update(&s, chain.update(chain.blocks[0]))), QString("stale_header"));
    QCOMPARE(name(update(&s, chain.update(chain.blocks[2]))), QString("ok"));
    QCOMPARE(s.header.height, 3u);
    QVERIFY(std::memcmp(s.header.state_root, chain.head().header().state_root().data(), 32) == 0);
  }

  void refuses_a_header_signed_by_too_few_validators() {
    LightChain chain;
    chain.add({}, {}, {0, 1});  // f+1 = 2 of 4 signed block 4
    light::State s = chain.trusting();
    const light::Outcome o = update(&s, chain.update(chain.head()));
    QCOMPARE(name(o), QString("too_few_signers"));
    QCOMPARE(o.detail, 2u);
    QCOMPARE(s.header.height, 0u);  // nothing adopted
  }

  void refuses_an_altered_signature_naming_the_validator() {
    LightChain chain;
    v1::Block forged = chain.head();
    std::string* sig = forged.mutable_qc()->mutable_signatures(1)->mutable_signature();
    (*sig)[5] = static_cast<char>((*sig)[5] ^ 0x20);
    light::State s = chain.trusting();
    const light::Outcome o = update(&s, chain.update(forged));
    QCOMPARE(name(o), QString("bad_signature"));
    QCOMPARE(o.detail, forged.qc().signatures(1).validator());
  }

  void refuses_an_altered_header_field() {
    // A node serving block 3 with another tx_count under the original certificate.
    LightChain chain;
    light::State s = chain.trusting();
    std::string m = chain.update(chain.head());
    const std::size_t tx_count_at = 6 + 4 + 8 + 36 + 36 + 8 + 4 + 4 + 11 + 8 + 36 + 3;
    m = flipped(m, tx_count_at);  // the low byte of tx_count
    QCOMPARE(name(update(&s, m)), QString("bad_signature"));
  }

  void refuses_another_chains_header() {
    LightChain chain;
    // Same validator keys, another chain id: its certificates do not sign for ours.
    v1::Genesis other_genesis = test::light_genesis("itc-other");
    ledger::LedgerState other(other_genesis);
    const v1::Block b = test::commit_certified_block(other, std::string(32, '\0'), {}).block;
    v1::Block resigned = b;
    *resigned.mutable_qc() = test::sign_qc(b, {0, 1, 2}, 0, "itc-other");
    light::State s = chain.trusting();
    QCOMPARE(name(update(&s, chain.update(resigned))), QString("bad_signature"));
  }

  void refuses_a_conflicting_header_at_the_trusted_height() {
    LightChain chain;
    light::State s = chain.trusting();
    QCOMPARE(name(update(&s, chain.update(chain.head()))), QString("ok"));
    // Three validators equivocate: another block 3, certified.
    v1::Block fork = chain.head();
    fork.mutable_header()->set_timestamp_us(fork.header().timestamp_us() + 1);
    fork.set_hash(block_hash(fork.header()));
    *fork.mutable_qc() = test::sign_qc(fork, {1, 2, 3});
    const light::Outcome o = update(&s, chain.update(fork));
    QCOMPARE(name(o), QString("conflicting_header"));
    QCOMPARE(o.detail, 3u);
  }

  void verifies_a_transactions_inclusion() {
    LightChain chain;
    light::State s = chain.trusting();
    QCOMPARE(name(update(&s, chain.update(chain.head()))), QString("ok"));
    const v1::Block& b1 = chain.blocks[0];
    const std::string m = light::prover::tx_proof(b1, 1).value();
    light::Inclusion inc{};
    QCOMPARE(name(light::verify_tx(&s, bytes_of(m), m.size(), &inc)), QString("ok"));
    QCOMPARE(inc.height, 1u);  // an older block, checked by its own certificate
    QCOMPARE(std::string(reinterpret_cast<const char*>(inc.leaf_id), 32),
             ledger::tx_id(b1.transactions(1)));
    QCOMPARE(s.header.height, 3u);  // still trusts the newest

    // A lying node: the leaf, an audit path hash, the index.
    const std::size_t path_at = m.size() - 32;
    light::State t = s;
    QCOMPARE(name(light::verify_tx(&t, bytes_of(flipped(m, path_at)), m.size(), &inc)),
             QString("not_included"));
    const std::size_t leaf_at = m.find(tx_leaf_bytes(b1.transactions(1)));
    QVERIFY(leaf_at != std::string::npos);
    QCOMPARE(name(light::verify_tx(&t, bytes_of(flipped(m, leaf_at + 40)), m.size(), &inc)),
             QString("not_included"));
    const std::size_t index_at = m.size() - 32 * 1 - 1 - 4;  // 2 txs: a path of one hash
    QCOMPARE(name(light::verify_tx(&t, bytes_of(flipped(m, index_at + 2)), m.size(), &inc)),
             QString("index_out_of_range"));
  }

  void verifies_a_readings_inclusion_and_refuses_a_tx_proof_in_its_place() {
    LightChain chain;
    light::State s = chain.trusting();
    const std::string m = light::prover::reading_proof(chain.blocks[0], 3).value();
    light::Inclusion inc{};
    QCOMPARE(name(light::verify_reading(&s, bytes_of(m), m.size(), &inc)), QString("ok"));
    QCOMPARE(inc.index, 3u);
    QCOMPARE(std::string(reinterpret_cast<const char*>(inc.leaf.data), inc.leaf.size),
             reading_leaf_bytes(chain.blocks[0].readings(3)));
    QCOMPARE(s.header.height, 1u);  // newer than nothing: adopted
    QCOMPARE(name(light::verify_tx(&s, bytes_of(m), m.size(), &inc)), QString("wrong_kind"));
  }

  void proves_an_accounts_balance_and_nonce() {
    LightChain chain;
    light::State s = chain.trusting();
    const std::string key = ledger::account_key(chain.alice.public_key());
    light::Bytes value{};
    QCOMPARE(name(prove_state(&s, chain.state_proof(key), key, &value)), QString("ok"));
    light::Account account{};
    QCOMPARE(name(light::decode_account(value, &account)), QString("ok"));
    const v1::Account expected = *chain.state.account(chain.alice.public_key());
    QCOMPARE(account.balance, expected.balance());
    QCOMPARE(account.nonce, 3u);
    QCOMPARE(s.header.height, 3u);
  }

  void proves_a_devices_owner_and_an_unknown_devices_absence() {
    LightChain chain;
    light::State s = chain.trusting();
    const std::string key = ledger::device_key("lamp-1");
    light::Bytes value{};
    QCOMPARE(name(prove_state(&s, chain.state_proof(key), key, &value)), QString("ok"));
    light::DeviceRecord device{};
    QCOMPARE(name(light::decode_device(value, &device)), QString("ok"));
    QCOMPARE(std::string(reinterpret_cast<const char*>(device.owner.data), 32),
             chain.bob.public_key());  // given to bob in block 3
    QCOMPARE(device.registered_height, 1u);

    const std::string unknown = ledger::device_key("lamp-404");
    const std::string m = chain.state_proof(unknown);
    const light::Outcome o = prove_state(&s, m, unknown, &value);
    QCOMPARE(name(o), QString("absent"));
    // The same proof does not answer for another key.
    QCOMPARE(name(prove_state(&s, m, key, &value)), QString("key_mismatch"));
  }

  void refuses_an_altered_state_value_or_path() {
    LightChain chain;
    light::State s = chain.trusting();
    const std::string key = ledger::device_key("lamp-1");
    const std::string m = chain.state_proof(key);
    const std::string record = deterministic_bytes(*chain.state.device("lamp-1"));
    const std::size_t value_at = m.find(record);
    QVERIFY(value_at != std::string::npos);
    light::Bytes value{};
    // The owner's last byte (a node claiming someone else owns the lamp).
    const std::size_t owner_at = value_at + record.find(chain.bob.public_key()) + 31;
    QCOMPARE(name(prove_state(&s, flipped(m, owner_at), key, &value)),
             QString("state_root_mismatch"));
    QCOMPARE(name(prove_state(&s, flipped(m, m.size() - 1), key, &value)),
             QString("state_root_mismatch"));
    QCOMPARE(name(prove_state(&s, flipped(m, m.size() - 12 * 32), key, &value)),
             QString("state_root_mismatch"));
    QCOMPARE(s.header.height, 0u);  // no forged proof moved the client
  }

  void refuses_a_state_proof_against_a_stale_header() {
    LightChain chain;
    light::State s = chain.trusting();
    const std::string key = ledger::account_key(chain.bob.public_key());
    const std::string old = chain.state_proof(key);  // at height 3
    chain.add({test::signed_transfer(chain.bob, chain.alice.public_key(), 1, 2)}, {});
    QCOMPARE(name(update(&s, chain.update(chain.head()))), QString("ok"));
    light::Bytes value{};
    const light::Outcome o = prove_state(&s, old, key, &value);
    QCOMPARE(name(o), QString("stale_header"));
    QCOMPARE(o.detail, 3u);
    QCOMPARE(name(prove_state(&s, chain.state_proof(key), key, &value)), QString("ok"));
  }

  void checkpoint_learns_its_roots_from_the_matching_header_only() {
    LightChain chain;
    light::State s{};
    QVERIFY(light::trust_checkpoint(chain.genesis, 2, chain.blocks[1].hash(), &s).ok());
    QVERIFY(!s.header.has_roots);
    QCOMPARE(name(update(&s, chain.update(chain.blocks[0]))), QString("stale_header"));
    QCOMPARE(name(update(&s, chain.update(chain.blocks[1]))), QString("ok"));
    QVERIFY(s.header.has_roots);

    light::State wrong{};
    QVERIFY(light::trust_checkpoint(chain.genesis, 2, chain.blocks[0].hash(), &wrong).ok());
    QCOMPARE(name(update(&wrong, chain.update(chain.blocks[1]))), QString("conflicting_header"));
  }

  void strict_decoding_refuses_every_truncation_and_trailing_bytes() {
    LightChain chain;
    const std::string m = chain.state_proof(ledger::device_key("lamp-1"));
    for (std::size_t n = 0; n < m.size(); ++n) {
      light::State s = chain.trusting();
      light::Bytes value{};
      const light::Outcome o =
          prove_state(&s, m.substr(0, n), ledger::device_key("lamp-1"), &value);
      QVERIFY2(!o.ok() && s.header.height == 0, qPrintable(QString::number(n)));
    }
    light::State s = chain.trusting();
    const std::string h = chain.update(chain.head());
    QCOMPARE(name(update(&s, h + '\0')), QString("trailing_bytes"));
    QCOMPARE(name(update(&s, "ITCX" + h.substr(4))), QString("bad_magic"));
    QCOMPARE(name(update(&s, flipped(h, 4))), QString("bad_version"));
    // A prev_hash with a length other than 32.
    QCOMPARE(name(update(&s, flipped(h, 6 + 4 + 8 + 3))), QString("non_canonical"));
    QCOMPARE(name(update(&s, h)), QString("ok"));
  }

  void refuses_a_validator_set_that_repeats_a_key() {
    light::Validator v[2]{};
    v[0].power = v[1].power = 1;
    light::State s{};
    const light::Outcome o = light::init_from_genesis(&s, "c", 1, v, 2);
    QCOMPARE(name(o), QString("bad_validator_set"));
    QCOMPARE(o.detail, 1u);
    QVERIFY(!s.initialised);
  }

  void state_survives_its_file_encoding() {
    LightChain chain;
    light::State s = chain.trusting();
    QCOMPARE(name(update(&s, chain.update(chain.head()))), QString("ok"));
    std::uint8_t buf[light::kMaxStateBytes];
    const std::size_t n = light::encode_state(s, buf, sizeof buf);
    QVERIFY(n > 0);
    light::State back{};
    QCOMPARE(name(light::decode_state(buf, n, &back)), QString("ok"));
    QVERIFY(std::memcmp(back.header.state_root, s.header.state_root, 32) == 0);
    QCOMPARE(back.header.height, 3u);
    QCOMPARE(back.total_power, 4u);
    QCOMPARE(name(light::decode_state(buf, n - 1, &back)), QString("truncated"));
  }
};

QTEST_GUILESS_MAIN(LightClientTest)
#include "light_client_test.moc"
