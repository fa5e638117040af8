// Pedersen commitments and verifiable sums: what a buyer of an aggregate relies on — the
// published sum is the sum of the committed readings, and a node that lies about its
// partial is refused and named.
#include "sum_proof.hpp"

#include <QtTest>
#include <random>

#include "itc/crypto.hpp"
#include "p256.hpp"
#include "pedersen.hpp"

using namespace itc;
using namespace itc::analytics;

namespace {

// Readings of one node: values (scaled), their openings (kept by the owner) and their
// commitments (on the chain).
struct Readings {
  std::vector<std::int64_t> values;
  std::vector<Opening> openings;
  std::vector<std::string> commitments;
  std::int64_t true_sum = 0;

  Readings(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::int64_t> watts(-5'000, 60'000);  // mW, some negative
    for (std::size_t i = 0; i < n; ++i) {
      values.push_back(watts(rng));
      true_sum += values.back();
      openings.push_back(new_opening(values.back()));
      commitments.push_back(*commit(openings.back()));
    }
  }
  Opening total() const { return *add_openings(openings); }
};

void expect_refused(const Status& s, Status::Code code, const char* what) {
  QVERIFY2(!s.ok(), what);
  QCOMPARE(s.code(), code);
  QVERIFY2(s.message().find(what) != std::string::npos, s.message().c_str());
}

std::string scalar_plus_one(const std::string& scalar) {
  auto b = std::move(p256::scalar_from_bytes(scalar, "r").value());
  auto one = p256::scalar_from_int64(1);
  auto ctx = p256::new_ctx();
  p256::check(BN_mod_add(b.get(), b.get(), one.get(), p256::group().order, ctx.get()), "add");
  return p256::scalar_bytes(b.get());
}

}  // namespace

class SumProofTest : public QObject {
  Q_OBJECT

 private slots:
  void generatorHIsTheFirstHashPointOnTheCurve() {
    // Anyone can rederive H: SHA-256(tag || counter) as the x of an even-y point, for the
    // first counter that gives a point.
    std::uint32_t counter = 0;
    for (;; ++counter) {
      std::string input(p256::kGeneratorTag);
      input += std::string{'\0', '\0', static_cast<char>(counter >> 8), static_cast<char>(counter)};
      if (auto p = p256::decode("\x02" + crypto::sha256(input), "x"); p.ok()) {
        QCOMPARE(p256::encode(p->get()), p256::encode(p256::group().h));
        break;
      }
    }
    QCOMPARE(counter, p256::group().h_counter);
    QVERIFY(p256::encode(p256::group().h) != p256::encode(p256::group().g));
  }

  void readingsScaleToIntegersAndBadOnesAreRefused() {
    QCOMPARE(*scale_reading(12.3456, 3), std::int64_t{12346});
    QCOMPARE(*scale_reading(-0.0005, 3), std::int64_t{-1});  // halves away from zero
    QCOMPARE(*scale_reading(0, 0), std::int64_t{0});
    expect_refused(scale_reading(std::nan(""), 3).status(), Status::Code::kInvalidArgument,
                   "value:");
    expect_refused(scale_reading(1e300, 0).status(), Status::Code::kInvalidArgument, "63 bits");
    expect_refused(scale_reading(1, 10).status(), Status::Code::kInvalidArgument, "decimals:");
  }

  void commitmentOpensOnlyToItsValueAndHidesIt() {
    const Opening o = new_opening(4200);
    const std::string c = *commit(o);
    QCOMPARE(c.size(), p256::kPointSize);
    QVERIFY(open(c, o).ok());
    expect_refused(open(c, {4201, o.blinding}), Status::Code::kPermissionDenied,
                   "does not open to 4201");
    expect_refused(open(c, {4200, scalar_plus_one(o.blinding)}), Status::Code::kPermissionDenied,
                   "does not open");
    // The same value committed twice gives unrelated points (fresh blinding).
    QVERIFY(*commit(new_opening(4200)) != c);
    expect_refused(commit({1, std::string(31, 'x')}).status(), Status::Code::kInvalidArgument,
                   "blinding: a scalar is 32 bytes");
    expect_refused(commit({1, std::string(32, '\xff')}).status(), Status::Code::kInvalidArgument,
                   "blinding: not below the group order");
  }

  void commitmentsAddLikeTheirOpenings() {
    const Readings r(20, 1);
    const Opening total = r.total();
    QCOMPARE(total.value, r.true_sum);
    QVERIFY(open(*add_commitments(r.commitments), total).ok());
    const std::vector<Opening> overflow = {new_opening(INT64_MAX), new_opening(1)};
    expect_refused(add_openings(overflow).status(), Status::Code::kInvalidArgument, "overflows");
  }

  void sumOverManyCommitmentsVerifiesAndEqualsTheTrueSum() {
    const Readings r(9000, 2);
    const auto proof = prove_sum(r.total(), r.commitments.size(), "job-1");
    QVERIFY2(proof.ok(), proof.status().message().c_str());
    QCOMPARE(proof->value(), r.true_sum);
    const Status s = verify_sum(r.commitments, *proof);
    QVERIFY2(s.ok(), s.message().c_str());
    // Summed on several threads: the same point, the same verdicts.
    QCOMPARE(p256::encode(sum_points(r.commitments, 4)->get()),
             p256::encode(sum_points(r.commitments)->get()));
    QVERIFY(verify_sum(r.commitments, *proof, 4).ok());
    auto lie = *proof;
    lie.set_value(lie.value() + 1);
    expect_refused(verify_sum(r.commitments, lie, 4), Status::Code::kPermissionDenied,
                   "the proof does not verify");
    auto broken = r.commitments;
    broken[8000][5] ^= 1;
    expect_refused(verify_sum(broken, *proof, 4), Status::Code::kInvalidArgument,
                   "commitments[8000]: not a point on P-256");
    // It travels as a proto and still verifies.
    v1::SumProof decoded;
    QVERIFY(decoded.ParseFromString(proof->SerializeAsString()));
    QVERIFY(verify_sum(r.commitments, decoded).ok());
  }

  void wrongSumIsRefused() {
    const Readings r(50, 3);
    Opening lie = r.total();
    lie.value += 1;
    expect_refused(verify_sum(r.commitments, *prove_sum(lie, 50, "job-1")),
                   Status::Code::kPermissionDenied, "the proof does not verify");
    // An honest proof with its value edited afterwards.
    auto edited = *prove_sum(r.total(), 50, "job-1");
    edited.set_value(edited.value() - 1000);
    expect_refused(verify_sum(r.commitments, edited), Status::Code::kPermissionDenied,
                   "the proof does not verify");
  }

  void wrongSummedBlindingIsRefused() {
    const Readings r(50, 4);
    Opening lie = r.total();
    lie.blinding = scalar_plus_one(lie.blinding);
    expect_refused(verify_sum(r.commitments, *prove_sum(lie, 50, "job-1")),
                   Status::Code::kPermissionDenied, "the proof does not verify");
  }

  void swappedCommitmentIsRefused() {
    Readings r(50, 5);
    const auto proof = *prove_sum(r.total(), 50, "job-1");
    auto swapped = r.commitments;
    swapped[7] = *commit(new_opening(r.values[7] + 1));  // another reading
    expect_refused(verify_sum(swapped, proof), Status::Code::kPermissionDenied,
                   "the proof does not verify");
    swapped[7] = *commit(new_opening(r.values[7]));  // the same value, re-blinded
    expect_refused(verify_sum(swapped, proof), Status::Code::kPermissionDenied,
                   "the proof does not verify");
  }

  void proofForAnotherStatementIsRefused() {
    const Readings a(30, 6), b(30, 7);
    const auto proof = *prove_sum(a.total(), 30, "job-1");
    auto other_job = proof;
    other_job.set_context("job-2");
    expect_refused(verify_sum(a.commitments, other_job), Status::Code::kPermissionDenied,
                   "the proof does not verify");
    auto b_with_a_value = proof;
    b_with_a_value.set_value(b.true_sum);
    expect_refused(verify_sum(b.commitments, proof), Status::Code::kPermissionDenied,
                   "the proof does not verify");
    expect_refused(verify_sum(b.commitments, b_with_a_value), Status::Code::kPermissionDenied,
                   "the proof does not verify");
    const std::span<const std::string> fewer(a.commitments.data(), 29);
    expect_refused(verify_sum(fewer, proof), Status::Code::kPermissionDenied,
                   "count: the proof is for 30 commitments, 29 were given");
  }

  void malformedProofsAndCommitmentsAreRefusedByField() {
    const Readings r(5, 8);
    const auto proof = *prove_sum(r.total(), 5, "job-1");
    auto bad = proof;
    bad.set_response(proof.response().substr(1));
    expect_refused(verify_sum(r.commitments, bad), Status::Code::kInvalidArgument,
                   "response: a scalar is 32 bytes, got 31");
    bad = proof;
    bad.set_response(std::string(32, '\xff'));
    expect_refused(verify_sum(r.commitments, bad), Status::Code::kInvalidArgument,
                   "response: not below the group order");
    bad = proof;
    bad.set_nonce_commitment("\x04" + std::string(64, '\x01'));
    expect_refused(verify_sum(r.commitments, bad), Status::Code::kInvalidArgument,
                   "nonce_commitment: not a point on P-256");
    bad = proof;
    bad.set_context(std::string(kMaxContextBytes + 1, 'j'));
    expect_refused(verify_sum(r.commitments, bad), Status::Code::kInvalidArgument, "context:");
    auto commitments = r.commitments;
    commitments[3].resize(64);
    expect_refused(verify_sum(commitments, proof), Status::Code::kInvalidArgument,
                   "commitments[3]: a P-256 point is 65 or 33 bytes, got 64");
  }

  void partialsMergeAndALyingNodeIsNamed() {
    const Readings a(40, 9), b(25, 10), c(60, 11);
    auto partial = [](const char* node, const Readings& r, Opening total) {
      return NodePartial{*prove_partial("job-7", node, total, r.commitments.size()), r.commitments};
    };
    std::vector<NodePartial> honest = {partial("node-a", a, a.total()),
                                       partial("node-b", b, b.total()),
                                       partial("node-c", c, c.total())};
    const auto merged = merge_partials("job-7", honest);
    QVERIFY2(merged.ok(), merged.status().message().c_str());
    QCOMPARE(merged->value, a.true_sum + b.true_sum + c.true_sum);
    QCOMPARE(merged->count, std::uint64_t{125});

    Opening lie = b.total();
    lie.value += 5;
    auto lying = honest;
    lying[1] = partial("node-b", b, lie);
    expect_refused(merge_partials("job-7", lying).status(), Status::Code::kPermissionDenied,
                   "node node-b: the proof does not verify");
    // node-c replays node-a's proof as its own: the context names node-a.
    auto replay = honest;
    replay[2] = NodePartial{honest[0].partial, a.commitments};
    replay[2].partial.set_node_id("node-c");
    expect_refused(merge_partials("job-7", replay).status(), Status::Code::kPermissionDenied,
                   "node node-c: the proof is not for this job and node");
    expect_refused(merge_partials("job-8", honest).status(), Status::Code::kPermissionDenied,
                   "node node-a: the proof is not for this job and node");
    auto twice = honest;
    twice.push_back(honest[0]);
    expect_refused(merge_partials("job-7", twice).status(), Status::Code::kInvalidArgument,
                   "node node-a: sent more than one partial");
  }
};

QTEST_GUILESS_MAIN(SumProofTest)
#include "sum_proof_test.moc"
