// RFC 6962 Merkle trees: roots, domain separation and inclusion proofs.
#include "itc/merkle.hpp"

#include <QtTest>

#include "itc/crypto.hpp"

using namespace itc;

namespace {

std::string unhex(std::string_view hex) { return *crypto::from_hex(hex); }

// MTH straight from RFC 6962 section 2.1, written independently of the library's
// level-by-level construction.
std::string reference_root(const std::vector<std::string>& hashes, std::size_t begin,
                           std::size_t end) {
  if (end - begin == 1) return hashes[begin];
  std::size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return crypto::sha256(std::string(1, '\x01') + reference_root(hashes, begin, begin + k) +
                        reference_root(hashes, begin + k, end));
}

std::vector<std::string> leaf_hashes_for(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(merkle::leaf_hash("reading-" + std::to_string(i)));
  return out;
}

}  // namespace

class MerkleTest : public QObject {
  Q_OBJECT

 private slots:
  void emptyTreeRootIsHashOfEmptyString() {
    QCOMPARE(merkle::root({}), crypto::sha256(""));
    QCOMPARE(merkle::root_from_leaf_hashes({}), crypto::sha256(""));
  }

  void leafAndNodeHashesAreDomainSeparated() {
    QCOMPARE(merkle::leaf_hash("abc"), crypto::sha256(std::string("\x00", 1) + "abc"));
    const std::string l(32, 'L'), r(32, 'R');
    QCOMPARE(merkle::node_hash(l, r), crypto::sha256("\x01" + l + r));
    QVERIFY(merkle::leaf_hash("abc") != crypto::sha256("abc"));
    // A 64-byte leaf equal to two concatenated child hashes does not pass as their node.
    QVERIFY(merkle::leaf_hash(l + r) != merkle::node_hash(l, r));
  }

  // Roots of the certificate-transparency reference leaves (RFC 6962 test data).
  void matchesCertificateTransparencyVectors() {
    const std::vector<std::string> leaves = {"",
                                             unhex("00"),
                                             unhex("10"),
                                             unhex("2021"),
                                             unhex("3031"),
                                             unhex("40414243"),
                                             unhex("5051525354555657"),
                                             unhex("606162636465666768696a6b6c6d6e6f")};
    const char* roots[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                           "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                           "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                           "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                           "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                           "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                           "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
    for (std::size_t n = 1; n <= leaves.size(); ++n) {
      std::vector<std::string> prefix(leaves.begin(), leaves.begin() + n);
      QCOMPARE(crypto::to_hex(merkle::root(prefix)), std::string(roots[n - 1]));
    }
  }

  void rootMatchesRfcDefinitionForSizes1To20() {
    for (std::size_t n = 1; n <= 20; ++n) {
      auto hashes = leaf_hashes_for(n);
      QCOMPARE(merkle::root_from_leaf_hashes(hashes), reference_root(hashes, 0, n));
    }
  }

  void allProofsAtOnceEqualEachProofForSizes1To40() {
    for (std::uint64_t n = 1; n <= 40; ++n) {
      std::vector<std::string> leaves;
      for (std::uint64_t i = 0; i < n; ++i)
        leaves.push_back(merkle::leaf_hash("leaf-" + std::to_string(i)));
      const merkle::AllInclusionProofs all = merkle::all_inclusion_proofs(leaves);
      QCOMPARE(all.root, merkle::root_from_leaf_hashes(leaves));
      QCOMPARE(all.paths.size(), n);
      for (std::uint64_t i = 0; i < n; ++i) {
        QCOMPARE(all.paths[i], merkle::inclusion_proof(leaves, i));
        QVERIFY(merkle::verify_inclusion(leaves[i], i, n, all.paths[i], all.root));
      }
    }
  }

  void inclusionProofsVerifyForEveryIndex() {
    for (std::uint64_t n = 1; n <= 20; ++n) {
      auto hashes = leaf_hashes_for(n);
      const std::string root = merkle::root_from_leaf_hashes(hashes);
      for (std::uint64_t i = 0; i < n; ++i) {
        auto proof = merkle::inclusion_proof(hashes, i);
        QVERIFY2(merkle::verify_inclusion(hashes[i], i, n, proof, root),
                 qPrintable(QString("size %1 index %2").arg(n).arg(i)));
      }
    }
  }

  void wrongIndexRootLeafOrProofFails() {
    for (std::uint64_t n = 1; n <= 20; ++n) {
      auto hashes = leaf_hashes_for(n);
      const std::string root = merkle::root_from_leaf_hashes(hashes);
      const std::string other_root = merkle::root(std::vector<std::string>{"x"});
      for (std::uint64_t i = 0; i < n; ++i) {
        auto proof = merkle::inclusion_proof(hashes, i);
        const QByteArray where = QString("size %1 index %2").arg(n).arg(i).toUtf8();
        const char* ctx = where.constData();
        if (n > 1) {
          std::uint64_t wrong = (i + 1) % n;
          QVERIFY2(!merkle::verify_inclusion(hashes[i], wrong, n, proof, root), ctx);
          QVERIFY2(!merkle::verify_inclusion(hashes[(i + 1) % n], i, n, proof, root), ctx);
          auto shortened = proof;
          shortened.pop_back();
          QVERIFY2(!merkle::verify_inclusion(hashes[i], i, n, shortened, root), ctx);
          auto longer = proof;
          longer.push_back(hashes[0]);
          QVERIFY2(!merkle::verify_inclusion(hashes[i], i, n, longer, root), ctx);
        }
        QVERIFY2(!merkle::verify_inclusion(hashes[i], i, n, proof, other_root), ctx);
        QVERIFY2(!merkle::verify_inclusion(hashes[i], n, n, proof, root), ctx);  // index >= size
      }
    }
    QVERIFY(merkle::inclusion_proof(leaf_hashes_for(3), 3).empty());
  }

  // RFC 6962 2.1.2 proofs checked by RFC 9162's iterative verifier, for every pair of
  // sizes up to 40: the two are written from different definitions, so agreement here
  // is not one formula checking itself.
  void consistencyProofsVerifyForEveryPairOfSizes() {
    const auto all = leaf_hashes_for(40);
    for (std::size_t n = 1; n <= all.size(); ++n) {
      std::vector<std::string> tree(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
      const std::string new_root = reference_root(tree, 0, n);
      for (std::size_t m = 1; m <= n; ++m) {
        const std::string old_root = reference_root(tree, 0, m);
        auto proof = merkle::consistency_proof(tree, m);
        QVERIFY2(merkle::verify_consistency(m, n, old_root, new_root, proof),
                 qPrintable(QString("m=%1 n=%2").arg(m).arg(n)));
        if (m == n) continue;
        QVERIFY(!merkle::verify_consistency(m, n, new_root, new_root, proof));  // wrong old root
        QVERIFY(!merkle::verify_consistency(m, n, old_root, old_root, proof));  // wrong new root
        for (std::size_t i = 0; i < proof.size(); ++i) {
          auto bad = proof;
          bad[i][0] = static_cast<char>(bad[i][0] ^ 1);
          QVERIFY(!merkle::verify_consistency(m, n, old_root, new_root, bad));
        }
        if (m + 1 < n) QVERIFY(!merkle::verify_consistency(m + 1, n, old_root, new_root, proof));
      }
    }
    // A tree that dropped or changed a leaf is not an extension.
    auto changed = all;
    changed[3] = merkle::leaf_hash("forged");
    auto proof = merkle::consistency_proof(changed, 10);
    QVERIFY(!merkle::verify_consistency(10, 40, reference_root(all, 0, 10),
                                        reference_root(changed, 0, 40), proof));
  }
};

QTEST_GUILESS_MAIN(MerkleTest)
#include "merkle_test.moc"
