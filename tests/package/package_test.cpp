// Signed plugin packages, as a vendor and a node operator rely on them: a package built
// from a real plugin library loads only when signed by a trusted key and untouched since;
// every refusal says why. Then the `itc` CLI does the same end to end.
#include "host/package.hpp"

#include <google/protobuf/util/json_util.h>
#include <sys/stat.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <sstream>

#include "itc/abi.hpp"
#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"

using namespace itc;

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

void expect_refusal(const Result<host::VerifiedPackage>& r, Status::Code code,
                    const std::string& text) {
  QVERIFY2(!r.ok(), "the package was accepted");
  QCOMPARE(Status::CodeName(r.status().code()), Status::CodeName(code));
  QVERIFY2(r.status().message().find(text) != std::string::npos, r.status().message().c_str());
}

struct CliRun {
  int exit_code = -1;
  QString out;
  QString err;
};

}  // namespace

class PackageTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  crypto::Ed25519PrivateKey vendor_ = *crypto::Ed25519PrivateKey::from_seed(std::string(32, 'v'));
  crypto::Ed25519PrivateKey stranger_ = *crypto::Ed25519PrivateKey::from_seed(std::string(32, 's'));

  std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

  // An unsigned package of the fixture plugin.
  v1::SignedPackage packed() {
    auto pkg = host::pack_library(ITC_FIXTURE_PLUGIN, "Acme Lighting", path("run"));
    if (!pkg.ok()) qFatal("pack_library failed: %s", pkg.status().ToString().c_str());
    return *pkg;
  }

  v1::SignedPackage signed_by(const crypto::Ed25519PrivateKey& key) {
    auto pkg = packed();
    Status s = host::sign_package(&pkg, key);
    if (!s.ok()) qFatal("sign_package failed: %s", s.ToString().c_str());
    return pkg;
  }

  std::string saved(const char* name, const v1::SignedPackage& pkg) {
    std::string p = path(name);
    Status s = host::write_package_file(p, pkg);
    if (!s.ok()) qFatal("write_package_file failed: %s", s.ToString().c_str());
    return p;
  }

  CliRun run_itc(const QStringList& args) {
#ifdef ITC_CLI
    QProcess p;
    p.start(ITC_CLI, args);
    if (!p.waitForFinished(30000)) qFatal("itc %s did not finish", qPrintable(args.join(' ')));
    CliRun r;
    r.exit_code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
#else
    Q_UNUSED(args);
    return {};
#endif
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY(QDir().mkpath(dir_.filePath("run")));
  }

  void packReadsTheManifestFromTheLibrary() {
    auto pkg = packed();
    v1::PackageManifest m;
    QVERIFY(m.ParseFromString(pkg.manifest()));
    QCOMPARE(m.name(), std::string("package-fixture"));
    QCOMPARE(m.version(), std::string("1.2.3"));
    QCOMPARE(m.layer(), std::string("cognition"));
    QCOMPARE(m.abi_major(), kAbiMajor);
    QCOMPARE(m.abi_minor(), kAbiMinor);
    QCOMPARE(m.provides_size(), 1);
    QCOMPARE(m.provides(0), std::string("itc.package-fixture.v1"));
    QCOMPARE(m.requires_services_size(), 1);
    QCOMPARE(m.requires_services(0), std::string("itc.ledger-store.v1"));
    QCOMPARE(m.vendor(), std::string("Acme Lighting"));
    QCOMPARE(m.library_file(), std::string("libitc_package_fixture.so"));
    const std::string library = file_bytes(ITC_FIXTURE_PLUGIN);
    QCOMPARE(pkg.library(), library);
    QCOMPARE(m.library_sha256(), crypto::sha256(library));
    QVERIFY(pkg.signature().empty());
  }

  void packRefusesSomethingThatIsNotAPlugin() {
    write_bytes(path("not-a-plugin.so"), "just text");
    auto pkg = host::pack_library(path("not-a-plugin.so"), "Acme", path("run"));
    QVERIFY(!pkg.ok());
    QVERIFY2(pkg.status().message().find("not-a-plugin.so") != std::string::npos,
             pkg.status().message().c_str());
  }

  void signedByATrustedKeyVerifies() {
    const std::string p = saved("good.itcpkg", signed_by(vendor_));
    auto v = host::verify_package(p, {stranger_.public_key(), vendor_.public_key()});
    QVERIFY2(v.ok(), v.status().ToString().c_str());
    QCOMPARE(v->signer_hex, crypto::to_hex(vendor_.public_key()));
    QCOMPARE(v->manifest.vendor_public_key(), vendor_.public_key());
    QCOMPARE(v->manifest.name(), std::string("package-fixture"));
    QCOMPARE(v->library, file_bytes(ITC_FIXTURE_PLUGIN));
  }

  void unsignedPackageIsRefused() {
    const std::string p = saved("unsigned.itcpkg", packed());
    expect_refusal(host::verify_package(p, {vendor_.public_key()}), Status::Code::kPermissionDenied,
                   "package " + p + " is not signed");
  }

  void untrustedSignerIsRefused() {
    const std::string p = saved("stranger.itcpkg", signed_by(stranger_));
    expect_refusal(host::verify_package(p, {vendor_.public_key()}), Status::Code::kPermissionDenied,
                   "is signed by " + crypto::to_hex(stranger_.public_key()) +
                       ", which this node does not trust");
    expect_refusal(host::verify_package(p, {}), Status::Code::kPermissionDenied,
                   "which this node does not trust");
  }

  void manifestAlteredAfterSigningIsRefused() {
    auto pkg = signed_by(vendor_);
    v1::PackageManifest m;
    QVERIFY(m.ParseFromString(pkg.manifest()));
    m.set_version("9.9.9");  // e.g. to pass off an old build as new
    pkg.set_manifest(m.SerializeAsString());
    const std::string p = saved("altered-manifest.itcpkg", pkg);
    expect_refusal(host::verify_package(p, {vendor_.public_key()}), Status::Code::kPermissionDenied,
                   "signature does not verify (manifest altered after signing?)");
  }

  void signerKeySwappedInTheManifestIsRefused() {
    // Claiming the trusted vendor's key on a stranger's signature must not pass.
    auto pkg = signed_by(stranger_);
    v1::PackageManifest m;
    QVERIFY(m.ParseFromString(pkg.manifest()));
    m.set_vendor_public_key(vendor_.public_key());
    pkg.set_manifest(m.SerializeAsString());
    const std::string p = saved("claimed-key.itcpkg", pkg);
    expect_refusal(host::verify_package(p, {vendor_.public_key()}), Status::Code::kPermissionDenied,
                   "signature does not verify");
  }

  void libraryAlteredAfterSigningIsRefused() {
    auto pkg = signed_by(vendor_);
    std::string library = pkg.library();
    library[library.size() / 2] = static_cast<char>(library[library.size() / 2] ^ 0x5a);
    pkg.set_library(library);
    const std::string p = saved("altered-library.itcpkg", pkg);
    expect_refusal(host::verify_package(p, {vendor_.public_key()}), Status::Code::kCorruption,
                   "library does not match the manifest's SHA-256 (tampered?)");
  }

  void unreadableOrForeignFilesAreNamed() {
    auto missing = host::read_package_file(path("missing.itcpkg"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.status().code(), Status::Code::kNotFound);
    QVERIFY(missing.status().message().find("missing.itcpkg") != std::string::npos);
    write_bytes(path("garbage.itcpkg"), std::string("\xff\xff\xff\xff garbage", 13));
    auto garbage = host::read_package_file(path("garbage.itcpkg"));
    QVERIFY(!garbage.ok());
    QCOMPARE(garbage.status().code(), Status::Code::kCorruption);
    QVERIFY2(garbage.status().message().find("garbage.itcpkg") != std::string::npos,
             garbage.status().message().c_str());
  }

  void writeIsAtomicAndRoundTrips() {
    auto pkg = signed_by(vendor_);
    const std::string p = saved("round-trip.itcpkg", pkg);
    auto back = host::read_package_file(p);
    QVERIFY2(back.ok(), back.status().ToString().c_str());
    QCOMPARE(back->manifest(), pkg.manifest());
    QCOMPARE(back->signature(), pkg.signature());
    QCOMPARE(back->library(), pkg.library());
    QDir d(dir_.path());
    QVERIFY(d.entryList({"round-trip.itcpkg.tmp*"}, QDir::Files).isEmpty());
  }

  // ---- the itc CLI ----------------------------------------------------------------------

  void cliKeygenPackSignVerify() {
#ifndef ITC_CLI
    QSKIP("the itc CLI target was not configured in this build");
#else
    const QString key = dir_.filePath("cli-vendor.pem");
    const QString other = dir_.filePath("cli-other.pem");
    const QString pkg = dir_.filePath("cli.itcpkg");
    const QString signed_pkg = dir_.filePath("cli-signed.itcpkg");

    auto gen = run_itc({"plugin", "keygen", "--out", key});
    QCOMPARE(gen.exit_code, 0);
    const QString pub = gen.out.trimmed();
    QCOMPARE(pub.size(), 64);
    struct stat st {};
    QCOMPARE(::stat(key.toUtf8().constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);

    auto again = run_itc({"plugin", "keygen", "--out", key});
    QCOMPARE(again.exit_code, 1);  // never overwrites a key
    QVERIFY2(again.err.contains("already exists"), qPrintable(again.err));
    auto kept = run_itc({"plugin", "keygen", "--out", key, "--if-missing"});
    QCOMPARE(kept.exit_code, 0);
    QCOMPARE(kept.out.trimmed(), pub);
    auto shown = run_itc({"key", "public", key});
    QCOMPARE(shown.exit_code, 0);
    QCOMPARE(shown.out.trimmed(), pub);
    QCOMPARE(run_itc({"plugin", "keygen", "--out", other}).exit_code, 0);

    auto pack = run_itc({"plugin", "pack", ITC_FIXTURE_PLUGIN, "--out", pkg, "--vendor", "Acme"});
    QVERIFY2(pack.exit_code == 0, qPrintable(pack.err));
    auto unsigned_verify = run_itc({"plugin", "verify", pkg});
    QCOMPARE(unsigned_verify.exit_code, 1);
    QVERIFY2(unsigned_verify.err.contains("is not signed"), qPrintable(unsigned_verify.err));

    auto sign = run_itc({"plugin", "sign", pkg, "--key", key, "--out", signed_pkg});
    QVERIFY2(sign.exit_code == 0, qPrintable(sign.err));

    auto trusted = run_itc({"plugin", "verify", signed_pkg, "--trust", key});
    QVERIFY2(trusted.exit_code == 0, qPrintable(trusted.err));
    QVERIFY2(trusted.out.contains("OK: signed by " + pub + ", trusted"), qPrintable(trusted.out));
    QVERIFY(trusted.out.contains("package-fixture"));
    QVERIFY(trusted.out.contains("1.2.3"));
    auto by_hex = run_itc({"plugin", "verify", signed_pkg, "--trust", pub});
    QCOMPARE(by_hex.exit_code, 0);

    auto untrusted = run_itc({"plugin", "verify", signed_pkg, "--trust", other});
    QCOMPARE(untrusted.exit_code, 1);
    QVERIFY2(untrusted.err.contains("which this node does not trust"), qPrintable(untrusted.err));
    auto no_list = run_itc({"plugin", "verify", signed_pkg});
    QCOMPARE(no_list.exit_code, 0);
    QVERIFY2(no_list.out.contains("NOT checked against a trust list"), qPrintable(no_list.out));

    // In-place signing (the default) replaces the package atomically.
    auto in_place = run_itc({"plugin", "sign", pkg, "--key", other});
    QCOMPARE(in_place.exit_code, 0);
    auto now_other = run_itc({"plugin", "verify", pkg, "--trust", other});
    QCOMPARE(now_other.exit_code, 0);
#endif
  }

  void cliSignsCommandsTheNodeAccepts() {
#ifndef ITC_CLI
    QSKIP("the itc CLI target was not configured in this build");
#else
    const QString owner = dir_.filePath("cli-owner.pem");
    QCOMPARE(run_itc({"plugin", "keygen", "--out", owner}).exit_code, 0);
    auto owner_key = crypto::Ed25519PrivateKey::load_pem_file(owner.toStdString());
    QVERIFY(owner_key.ok());

    auto dim = run_itc({"command", "sign", "--key", owner, "--device", "lamp-0007", "--action",
                        "dim", "--level", "40", "--nonce", "17"});
    QVERIFY2(dim.exit_code == 0, qPrintable(dim.err));
    v1::Command cmd;
    QVERIFY(google::protobuf::util::JsonStringToMessage(dim.out.toStdString(), &cmd).ok());
    QCOMPARE(cmd.device_id(), std::string("lamp-0007"));
    QCOMPARE(cmd.action(), v1::ACTION_DIM);
    QCOMPARE(cmd.dim_level(), 40u);
    QCOMPARE(cmd.nonce(), 17u);
    QVERIFY(verify_command(cmd, owner_key->public_key()).ok());

    const QString out = dir_.filePath("schedule.json");
    auto sched =
        run_itc({"command", "sign", "--key", owner, "--device", "lamp-0008", "--action", "schedule",
                 "--schedule", "06:30=on,22:00=dim:30,23:45=off", "--out", out});
    QVERIFY2(sched.exit_code == 0, qPrintable(sched.err));
    v1::Command sc;
    QVERIFY(google::protobuf::util::JsonStringToMessage(file_bytes(out.toStdString()), &sc).ok());
    QCOMPARE(sc.schedule_size(), 3);
    QCOMPARE(sc.schedule(0).minute_of_day(), 390u);
    QCOMPARE(sc.schedule(1).action(), v1::ACTION_DIM);
    QCOMPARE(sc.schedule(1).dim_level(), 30u);
    QCOMPARE(sc.schedule(2).minute_of_day(), 23u * 60 + 45);
    QVERIFY(sc.nonce() > 0);  // defaults to the current time
    QVERIFY(verify_command(sc, owner_key->public_key()).ok());

    auto bad_schedule = run_itc({"command", "sign", "--key", owner, "--device", "lamp-1",
                                 "--action", "schedule", "--schedule", "25:00=on"});
    QCOMPARE(bad_schedule.exit_code, 1);
    QVERIFY2(bad_schedule.err.contains("schedule entry '25:00=on'"), qPrintable(bad_schedule.err));
    auto no_level =
        run_itc({"command", "sign", "--key", owner, "--device", "lamp-1", "--action", "dim"});
    QCOMPARE(no_level.exit_code, 1);
    QVERIFY2(no_level.err.contains("--level"), qPrintable(no_level.err));
#endif
  }

  void cliUsageErrorsExitWithTwo() {
#ifndef ITC_CLI
    QSKIP("the itc CLI target was not configured in this build");
#else
    QCOMPARE(run_itc({"plugin", "keygen"}).exit_code, 2);  // --out missing
    QCOMPARE(run_itc({"command", "sign", "--action", "explode"}).exit_code, 2);
    QCOMPARE(run_itc({"no-such-group"}).exit_code, 2);
    auto help = run_itc({"plugin", "verify", "--help"});
    QCOMPARE(help.exit_code, 0);
    QVERIFY(help.out.contains("--trust"));
    QVERIFY(help.out.contains("Example"));
    auto missing_key = run_itc({"key", "public", dir_.filePath("nope.pem")});
    QCOMPARE(missing_key.exit_code, 1);
    QVERIFY2(missing_key.err.contains("nope.pem"), qPrintable(missing_key.err));
#endif
  }
};

QTEST_GUILESS_MAIN(PackageTest)
#include "package_test.moc"
