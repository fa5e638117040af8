// The agreement pieces of a PBFT slot on their own: the phases a slot may pass and in
// which order, how votes count towards a quorum (one per validator per view, the
// primary's prepare not at all; checkpoints by sequence number), what counts as an
// equivocation, and that this replica never votes twice at one (kind, view, seq).
#include <QtTest>

#include "slot.hpp"
#include "vote_set.hpp"

namespace v1 = itc::v1;
using itc::pbft::SentVotes;
using itc::pbft::Slot;
using itc::pbft::SlotPhase;
using itc::pbft::VoteKind;
using itc::pbft::VoteSet;

namespace {

v1::Envelope signed_by(std::uint32_t sender, const std::string& what) {
  v1::Envelope e;
  e.set_sender(sender);
  e.set_signature("sig " + std::to_string(sender) + " " + what);
  return e;
}

}  // namespace

class VotesTest : public QObject {
  Q_OBJECT

 private slots:
  void aSlotPassesItsPhasesInOrderOnly() {
    SlotPhase p;
    QCOMPARE(p.get(), SlotPhase::kEmpty);
    QVERIFY(!p.advance(SlotPhase::kPrepared));  // no prepare without a pre-prepare
    QVERIFY(!p.advance(SlotPhase::kCommitted));
    QVERIFY(p.advance(SlotPhase::kPrePrepared));
    QVERIFY(p.has_pre_prepare() && !p.prepared());
    QVERIFY(!p.advance(SlotPhase::kCommitSent));   // no commit before prepared
    QVERIFY(!p.advance(SlotPhase::kPrePrepared));  // one pre-prepare per view
    QVERIFY(p.advance(SlotPhase::kPrepared));
    QVERIFY(!p.advance(SlotPhase::kCommitted));  // 2f+1 commits count only after ours
    QVERIFY(p.advance(SlotPhase::kCommitSent));
    QVERIFY(p.prepared() && p.commit_sent() && !p.committed());
    QVERIFY(p.advance(SlotPhase::kCommitted));
    QVERIFY(p.committed());
    QVERIFY(!p.advance(SlotPhase::kCommitted));
    QVERIFY(!p.advance(SlotPhase::kPrePrepared));
  }

  void droppingTheTentativeChainEmptiesASlotFromAnyPhase() {
    for (int last = SlotPhase::kEmpty; last <= SlotPhase::kCommitted; ++last) {
      SlotPhase p;
      for (int step = SlotPhase::kPrePrepared; step <= last; ++step) {
        QVERIFY(p.advance(static_cast<SlotPhase::Phase>(step)));
      }
      QVERIFY(SlotPhase::legal(p.get(), SlotPhase::kEmpty));
      p.clear();
      QCOMPARE(p.get(), SlotPhase::kEmpty);
      QVERIFY(!p.has_pre_prepare());
    }
  }

  void anEmptiedSlotKeepsItsVotesAndCertificate() {
    Slot s;
    v1::Block block;
    block.set_hash("block-7");
    s.accept(2, signed_by(2, "pp"), block, "block-7");
    QCOMPARE(s.phase.get(), SlotPhase::kPrePrepared);
    QCOMPARE(s.view, std::uint64_t{2});
    QCOMPARE(s.digest, std::string("block-7"));
    s.prepares.add(2, 0, "block-7", signed_by(0, "p"));
    s.certificate = v1::PreparedCertificate();
    s.certificate_view = 2;
    s.phase.clear();
    QCOMPARE(s.prepares.matching(2, "block-7"), std::size_t{1});
    QVERIFY(s.certificate.has_value());
    s.accept(3, signed_by(3, "pp"), block, "block-7");  // the next view's pre-prepare
    QCOMPARE(s.view, std::uint64_t{3});
    QCOMPARE(s.phase.get(), SlotPhase::kPrePrepared);
  }

  void aQuorumCountsDistinctValidatorsForOneDigestInOneView() {
    VoteSet votes;
    QCOMPARE(votes.matching(1, "a"), std::size_t{0});
    QVERIFY(votes.add(1, 0, "a", signed_by(0, "a")) == VoteSet::Added::kNew);
    QVERIFY(votes.add(1, 2, "a", signed_by(2, "a")) == VoteSet::Added::kNew);
    QVERIFY(votes.add(1, 3, "b", signed_by(3, "b")) == VoteSet::Added::kNew);
    QVERIFY(votes.add(2, 3, "a", signed_by(3, "a")) == VoteSet::Added::kNew);  // another view
    QCOMPARE(votes.matching(1, "a"), std::size_t{2});
    QCOMPARE(votes.matching(1, "b"), std::size_t{1});
    QCOMPARE(votes.matching(2, "a"), std::size_t{1});
    // The primary's prepare does not count towards the 2f.
    QCOMPARE(votes.matching(1, "a", 0u), std::size_t{1});
    // A copy of a vote counts once.
    QVERIFY(votes.add(1, 2, "a", signed_by(2, "a")) == VoteSet::Added::kRepeated);
    QCOMPARE(votes.matching(1, "a"), std::size_t{2});
  }

  void aSecondDigestFromOneValidatorIsAnEquivocationAndReplacesTheFirst() {
    VoteSet votes;
    votes.add(4, 1, "a", signed_by(1, "a"));
    QVERIFY(votes.add(4, 1, "b", signed_by(1, "b")) == VoteSet::Added::kEquivocation);
    QCOMPARE(votes.matching(4, "a"), std::size_t{0});
    QCOMPARE(votes.matching(4, "b"), std::size_t{1});
  }

  void matchingVotesComeInSenderOrderWithTheirEnvelopes() {
    VoteSet votes;
    votes.add(0, 3, "a", signed_by(3, "a"));
    votes.add(0, 1, "a", signed_by(1, "a"));
    votes.add(0, 2, "x", signed_by(2, "x"));
    votes.add(0, 0, "a", signed_by(0, "a"));
    std::vector<std::uint32_t> senders;
    votes.for_each_matching(0, "a", 0u, [&](std::uint32_t sender, const v1::Envelope& e) {
      senders.push_back(sender);
      QCOMPARE(e.signature(), "sig " + std::to_string(sender) + " a");
    });
    QCOMPARE(senders, (std::vector<std::uint32_t>{1, 3}));
  }

  void checkpointsCountBySequenceNumberAndAreForgottenBelowAStableOne() {
    VoteSet checkpoints;  // round = sequence number
    for (std::uint32_t v = 0; v < 3; ++v) checkpoints.add(64, v, "h64", signed_by(v, "cp64"));
    checkpoints.add(128, 0, "h128", signed_by(0, "cp128"));
    QCOMPARE(checkpoints.matching(64, "h64"), std::size_t{3});
    checkpoints.forget_up_to(64);
    QCOMPARE(checkpoints.matching(64, "h64"), std::size_t{0});
    QCOMPARE(checkpoints.matching(128, "h128"), std::size_t{1});
  }

  void thisReplicaNeverVotesForTwoBlocksAtOneViewAndHeight() {
    SentVotes mine;
    QVERIFY(!mine.voted(VoteKind::kPrepare, 1, 5));
    QVERIFY(!mine.would_equivocate(VoteKind::kPrepare, 1, 5, "a"));
    QVERIFY(mine.voted(VoteKind::kPrepare, 1, 5));
    QVERIFY(!mine.would_equivocate(VoteKind::kPrepare, 1, 5, "a"));  // the same vote again
    QVERIFY(mine.would_equivocate(VoteKind::kPrepare, 1, 5, "b"));
    QVERIFY(!mine.would_equivocate(VoteKind::kCommit, 1, 5, "b"));   // another kind
    QVERIFY(!mine.would_equivocate(VoteKind::kPrepare, 2, 5, "b"));  // another view
    // What the journal says was sent before a restart binds the same way.
    mine.restore(VoteKind::kPrePrepare, 1, 6, "c");
    QVERIFY(mine.would_equivocate(VoteKind::kPrePrepare, 1, 6, "d"));
    // A stable checkpoint at 5 forgets the votes at or below it.
    mine.forget_up_to(5);
    QVERIFY(!mine.voted(VoteKind::kPrepare, 1, 5));
    QVERIFY(!mine.voted(VoteKind::kCommit, 1, 5));
    QVERIFY(mine.voted(VoteKind::kPrePrepare, 1, 6));
  }
};

QTEST_GUILESS_MAIN(VotesTest)
#include "votes_test.moc"
