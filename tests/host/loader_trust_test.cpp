// What an operator relies on when a node loads code: no code of a library runs unless the
// node's own signing policy accepts it — a trusted signature, a manifest of this host's
// ABI naming the configured plugin — and nothing sent to the admin API (a config to
// validate or apply, a plugin to load) can widen that policy or reach outside the data
// dir. The test plugins leave a mark when their ELF constructor or factory runs
// (plugins/probe_mark.hpp).
#include <QDir>

#include "host/config_schema.hpp"
#include "host/package.hpp"
#include "in_process_node.hpp"
#include "itc/abi.hpp"
#include "itc/crypto.hpp"

using itc::testing::InProcessNode;
using itc::testing::test_plugin;
namespace crypto = itc::crypto;
namespace host = itc::host;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

class LoaderTrustTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::string probe_file_;
  crypto::Ed25519PrivateKey vendor_ = *crypto::Ed25519PrivateKey::from_seed(std::string(32, 'v'));
  crypto::Ed25519PrivateKey attacker_ = *crypto::Ed25519PrivateKey::from_seed(std::string(32, 'a'));

  std::string path(const std::string& name) const {
    return dir_.filePath(name.c_str()).toStdString();
  }

  // What the test plugins' code recorded since the last call, then forgets it.
  std::string probe_marks() {
    std::string marks = read_all(probe_file_);
    QFile::remove(QString::fromStdString(probe_file_));
    return marks;
  }

  // A package of `library` whose manifest is `manifest` (library digest filled in), signed.
  std::string package(const std::string& name, const std::string& library,
                      itc::v1::PackageManifest manifest, const crypto::Ed25519PrivateKey& key) {
    std::string bytes = read_all(library);
    manifest.set_library_sha256(crypto::sha256(bytes));
    itc::v1::SignedPackage pkg;
    pkg.set_manifest(manifest.SerializeAsString());
    pkg.set_library(bytes);
    if (!host::sign_package(&pkg, key).ok()) qFatal("signing failed");
    const std::string file = path(name);
    if (!host::write_package_file(file, pkg).ok()) qFatal("cannot write %s", file.c_str());
    return file;
  }

  static itc::v1::PackageManifest manifest(const std::string& name, std::uint32_t abi_major) {
    itc::v1::PackageManifest m;
    m.set_name(name);
    m.set_version("1.0.0");
    m.set_layer(name == "wrong-abi" ? "conversion" : "cognition");
    m.set_abi_major(abi_major);
    m.set_abi_minor(abi_major == itc::kAbiMajor ? itc::kAbiMinor : 0);
    m.set_vendor("Test Vendor");
    return m;
  }

  std::string node_yaml(const std::string& plugins, const std::string& node_extra = "") const {
    return "node:\n  name: trust-node\n  data_dir: data\n  admin: {listen: \"off\"}\n"
           "  trusted_vendor_keys: [" +
           crypto::to_hex(vendor_.public_key()) + "]\n" + node_extra + "plugins:\n" + plugins;
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    probe_file_ = path("probe-marks");
    qputenv("ITC_TEST_PROBE_FILE", probe_file_.c_str());
  }

  void aTrustedPackageLoadsAndRuns() {  // the control: the probe does leave its marks
    InProcessNode t;
    auto pkg = package("probe.itcpkg", test_plugin("libprobe.so"),
                       manifest("probe", itc::kAbiMajor), vendor_);
    QVERIFY(t.create(node_yaml("  - name: probe\n    package: " + pkg + "\n"), false).ok());
    auto st = t.node->start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    QCOMPARE(t.plugin("probe").state(), itc::v1::RUNNING);
    QVERIFY(t.node->shutdown().ok());
    QCOMPARE(probe_marks(), std::string("constructor\ncreate\n"));
  }

  void aPackageOfAnotherAbiIsRefusedBeforeAnyOfItsCodeRuns() {
    InProcessNode t;
    auto pkg = package("wrong-abi.itcpkg", test_plugin("libwrong-abi.so"),
                       manifest("wrong-abi", 99), vendor_);
    QVERIFY(t.create(node_yaml("  - name: wrong-abi\n    package: " + pkg + "\n"), false).ok());
    QVERIFY(!t.node->start().ok());
    auto p = t.plugin("wrong-abi");
    QCOMPARE(p.state(), itc::v1::FAILED);
    QVERIFY2(p.reason().find("plugin ABI 99.0 does not match the host's ABI " +
                             std::to_string(itc::kAbiMajor) + ".") != std::string::npos,
             p.reason().c_str());
    QCOMPARE(probe_marks(), std::string());
  }

  void aPluginBuiltAgainstAnotherProtobufIsRefusedBeforeAnyOfItsCodeRuns() {
    InProcessNode t;
    auto pkg = package("other-protobuf.itcpkg", test_plugin("libother-protobuf.so"),
                       manifest("other-protobuf", itc::kAbiMajor), vendor_);
    QVERIFY(
        t.create(node_yaml("  - name: other-protobuf\n    package: " + pkg + "\n"), false).ok());
    QVERIFY(!t.node->start().ok());  // the library's factory would abort the test
    auto p = t.plugin("other-protobuf");
    QCOMPARE(p.state(), itc::v1::FAILED);
    auto text = [](int v) {
      return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." +
             std::to_string(v % 1000);
    };
    const std::string expected = "plugin was compiled against protobuf " +
                                 text(GOOGLE_PROTOBUF_VERSION + 1) +
                                 " but this node uses protobuf " + text(GOOGLE_PROTOBUF_VERSION);
    QVERIFY2(p.reason().find(expected) != std::string::npos, p.reason().c_str());
  }

  void aPackageOfAnotherPluginIsRefusedBeforeAnyOfItsCodeRuns() {
    InProcessNode t;
    auto pkg = package("probe.itcpkg", test_plugin("libprobe.so"),
                       manifest("probe", itc::kAbiMajor), vendor_);
    QVERIFY(t.create(node_yaml("  - name: other\n    package: " + pkg + "\n"), false).ok());
    QVERIFY(!t.node->start().ok());
    auto p = t.plugin("other");
    QCOMPARE(p.state(), itc::v1::FAILED);
    QVERIFY2(p.reason().find("the package is plugin 'probe', not 'other'") != std::string::npos,
             p.reason().c_str());
    QCOMPARE(probe_marks(), std::string());
  }

  void aLibraryThatIsNotWhatItsManifestSaysIsRefused() {
    InProcessNode t;
    auto m = manifest("probe", itc::kAbiMajor);
    m.set_version("9.9.9");  // the vendor signed a manifest that does not match the library
    auto pkg = package("lying.itcpkg", test_plugin("libprobe.so"), m, vendor_);
    QVERIFY(t.create(node_yaml("  - name: probe\n    package: " + pkg + "\n"), false).ok());
    QVERIFY(!t.node->start().ok());
    auto p = t.plugin("probe");
    QCOMPARE(p.state(), itc::v1::FAILED);
    QVERIFY2(p.reason().find("package manifest says probe 9.9.9") != std::string::npos,
             p.reason().c_str());
    QVERIFY(probe_marks().find("create") == std::string::npos);
  }

  void validationCannotSwitchOnDeveloperMode() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(""), false).ok());
    QVERIFY(t.node->start().ok());
    const std::string body =
        node_yaml("  - name: probe\n    library: " + test_plugin("libprobe.so") + "\n",
                  "  developer_mode: true\n");
    auto report = t.node->validate_config(body, "<admin request>");
    QVERIFY(!report.ok());
    QString issues = QString::fromStdString(host::format_report(report));
    QVERIFY2(issues.contains("node.developer_mode"), qPrintable(issues));
    QVERIFY2(issues.contains("unsigned build, loaded only in developer mode"), qPrintable(issues));
    auto applied = t.node->apply_config(body, "<admin request>");
    QVERIFY(!applied.ok());
    QCOMPARE(t.plugin("probe").name(), std::string());
    QCOMPARE(probe_marks(), std::string());
  }

  void validationCannotAddATrustedKey() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(""), false).ok());
    QVERIFY(t.node->start().ok());
    auto pkg = package("attacker.itcpkg", test_plugin("libprobe.so"),
                       manifest("probe", itc::kAbiMajor), attacker_);
    const std::string body =
        "node:\n  name: trust-node\n  data_dir: data\n  admin: {listen: \"off\"}\n"
        "  trusted_vendor_keys: [" +
        crypto::to_hex(attacker_.public_key()) +
        "]\nplugins:\n  - name: probe\n    package: " + pkg + "\n";
    auto report = t.node->validate_config(body, "<admin request>");
    QVERIFY(!report.ok());
    QString issues = QString::fromStdString(host::format_report(report));
    QVERIFY2(issues.contains("node.trusted_vendor_keys[0]"), qPrintable(issues));
    QVERIFY2(issues.contains("which this node does not trust"), qPrintable(issues));
    QVERIFY(!t.node->apply_config(body, "<admin request>").ok());
    QCOMPARE(probe_marks(), std::string());
  }

  void loadRefusesANameThatIsNotAPluginNameBeforeTouchingAnyFile() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(""), false).ok());
    QVERIFY(t.node->start().ok());
    auto pkg = package("probe.itcpkg", test_plugin("libprobe.so"),
                       manifest("probe", itc::kAbiMajor), vendor_);
    const QStringList before =
        QDir(t.dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    for (const std::string& name : {std::string("../../../x"), t.dir.filePath("x").toStdString(),
                                    std::string(30000, 'a'), std::string("Probe"), std::string()}) {
      itc::v1::LoadRequest req;
      req.set_name(name);
      req.set_package(pkg);
      auto st = t.node->load(req);
      QVERIFY2(!st.ok(), name.c_str());
      QCOMPARE(st.code(), itc::Status::Code::kInvalidArgument);
      QVERIFY2(st.message().find("load: name: a plugin name") == 0, st.message().c_str());
      QVERIFY2(st.message().size() < 200, st.message().c_str());
    }
    QCOMPARE(t.node->plugins().size(), std::size_t(0));
    QCOMPARE(QDir(t.dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), before);
    QCOMPARE(probe_marks(), std::string());
  }
};

QTEST_GUILESS_MAIN(LoaderTrustTest)
#include "loader_trust_test.moc"
