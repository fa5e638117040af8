// What only store-postgres does, loaded from its library against the fixture's server: its
// config checks, login failures that never show the password, schemas that keep nodes
// apart, damage to the stored ledger reported as Corruption, and a lost connection. What
// every LedgerStore does is in the conformance suite (store_conformance_postgres_test).
#include <QtTest>
#include <fstream>

#include "itc/services/ledger_store.hpp"
#include "ledger_fixtures.hpp"
#include "pg_backend.hpp"
#include "plugin_harness.hpp"
#include "stored_block.hpp"

using itc::LedgerStore;
using itc::Status;
using itc::test::append_chain;
using itc::test::kGenesisPrev;
using itc::test::make_block;
using itc::test::postgres_store_config;

namespace {

constexpr const char* kLibrary = itc::test::kPostgresStoreLibrary;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

itc::v1::StateDelta one_entry(const std::string& key, const std::string& value) {
  itc::v1::StateDelta delta;
  auto* e = delta.add_entries();
  e->set_key(key);
  e->set_value(value);
  return delta;
}

}  // namespace

class StorePostgresTest : public QObject {
  Q_OBJECT

 private:
  std::optional<itc::test::PostgresServer> server_ = itc::test::postgres_server_from_env();
  std::unique_ptr<itc::test::PostgresBackend> backend_;
  std::unique_ptr<itc::test::PluginHost> host_;
  itc::test::TempDir dir_;

  // Opens the store plugin with `config`; its service, or nullptr with *status set.
  LedgerStore* open_store(const std::string& config, Status* status = nullptr) {
    host_ = std::make_unique<itc::test::PluginHost>();
    auto plugin = host_->add(kLibrary, config);
    if (status) *status = plugin.ok() ? Status::Ok() : plugin.status();
    if (!plugin.ok()) return nullptr;
    return host_->env().services().find<LedgerStore>();
  }

  Status validate(const std::string& config) {
    auto plugin = itc::testing::load_plugin(kLibrary);
    if (!plugin.ok()) return plugin.status();
    return (*plugin)->validate_config(config);
  }

  std::string config(const std::string& schema) const { return backend_->config_for(schema); }
  std::string schema() const { return backend_->last_schema(); }
  itc::test::PgTestDb db() const { return itc::test::PgTestDb(*server_); }

 private slots:
  void initTestCase() { QVERIFY2(server_.has_value(), "run through ctest (fixture pg)"); }
  void init() {
    backend_ = std::make_unique<itc::test::PostgresBackend>(*server_, "pgtest");
    backend_->fresh_config();
  }
  void cleanup() {
    host_.reset();
    backend_.reset();
  }

  void configIsCheckedFieldByField() {
    Status none = validate(postgres_store_config("", "", ""));
    QCOMPARE(none.code(), Status::Code::kInvalidArgument);
    QVERIFY2(none.message().rfind("connection:", 0) == 0, none.message().c_str());

    Status password = validate(postgres_store_config("host=db user=itc password=hunter2", "", ""));
    QCOMPARE(password.code(), Status::Code::kInvalidArgument);
    QVERIFY2(password.message().rfind("connection: must not hold the password", 0) == 0,
             password.message().c_str());
    QVERIFY(!contains(password.message(), "hunter2"));

    Status uri = validate(postgres_store_config("postgresql://itc@db/itc", "", ""));
    QVERIFY2(uri.message().rfind("connection:", 0) == 0, uri.message().c_str());

    for (const char* bad : {"Itc", "1node", "node-a", "pg_catalog", "a\"b"}) {
      Status s = validate(postgres_store_config(server_->connection, "", bad));
      QCOMPARE(s.code(), Status::Code::kInvalidArgument);
      QVERIFY2(s.message().rfind("schema:", 0) == 0, s.message().c_str());
    }
    QVERIFY(validate(postgres_store_config(server_->connection, "", "node_a")).ok());
  }

  void wrongPasswordIsRefusedAndNeverShown() {
    const std::string secret = "not-the-password-7f3a";
    const std::string file = dir_.file("wrong-password");
    std::ofstream(file) << secret << "\n";
    Status s;
    QVERIFY(open_store(postgres_store_config(server_->connection, file, schema()), &s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kPermissionDenied);
    QVERIFY2(contains(s.message(), server_->connection), s.message().c_str());
    QVERIFY2(!contains(s.message(), secret), s.message().c_str());
    QVERIFY(!host_->env().log().contains(secret));
  }

  void unreachableServerIsUnavailableNamingIt() {
    Status s;
    QVERIFY(open_store(postgres_store_config("host=127.0.0.1 port=1 dbname=itc user=postgres",
                                             server_->password_file, schema()),
                       &s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kUnavailable);
    QVERIFY2(contains(s.message(), "cannot connect to PostgreSQL (host=127.0.0.1 port=1"),
             s.message().c_str());
  }

  void missingPasswordFileIsNamed() {
    Status s;
    QVERIFY(open_store(postgres_store_config(server_->connection, dir_.file("nope"), schema()),
                       &s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kNotFound);
    QVERIFY2(s.message().rfind("password_file:", 0) == 0, s.message().c_str());
  }

  void schemasKeepNodesApart() {
    const std::string a = schema();
    backend_->fresh_config();
    const std::string b = schema();
    LedgerStore* first = open_store(config(a));
    QVERIFY(first != nullptr);
    append_chain(*first, 2);
    auto other_host = std::make_unique<itc::test::PluginHost>();
    QVERIFY(other_host->add(kLibrary, config(b)).ok());
    auto* second = other_host->env().services().find<LedgerStore>();
    QVERIFY(!second->head()->has_value());
    auto own = make_block(1, kGenesisPrev, 7, 5000);  // its own chain from height 1
    QVERIFY(second->append(own).ok());
    QCOMPARE((*first->head())->header().height(), 2u);
    QCOMPARE((*second->head())->hash(), own.hash());
  }

  void defaultSchemaIsItc() {
    QVERIFY(db().exec("DROP SCHEMA IF EXISTS itc CASCADE"));
    LedgerStore* store =
        open_store(postgres_store_config(server_->connection, server_->password_file, ""));
    QVERIFY(store != nullptr);
    append_chain(*store, 1);
    host_.reset();
    QCOMPARE(db().number("SELECT count(*) FROM itc.blocks"), std::int64_t(1));
    QVERIFY(db().exec("DROP SCHEMA itc CASCADE"));
  }

  void modifiedHeadBodyIsCorruption() {
    LedgerStore* store = open_store(config(schema()));
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    auto head = store->block(3);
    QVERIFY(head.ok());
    host_.reset();
    itc::v1::Block forged = *head;
    forged.mutable_header()->set_timestamp_us(forged.header().timestamp_us() + 1);
    QVERIFY(db().exec("UPDATE " + schema() + ".blocks SET body = $1 WHERE height = 3",
                      itc::store_common::body_without_readings(forged)));
    Status s;
    QVERIFY(open_store(config(schema()), &s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(contains(s.message(), "block 3"), s.message().c_str());
    QVERIFY2(contains(s.message(), "schema " + schema() + " at " + server_->connection),
             s.message().c_str());
  }

  void modifiedBodyBelowTheHeadIsCorruptionWhenRead() {
    LedgerStore* store = open_store(config(schema()));
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    itc::v1::Block forged = *store->block(2);
    forged.mutable_header()->set_producer("someone-else");
    QVERIFY(db().exec("UPDATE " + schema() + ".blocks SET body = $1 WHERE height = 2",
                      itc::store_common::body_without_readings(forged)));
    auto read = store->block(2);  // the running store reads it back, too
    QCOMPARE(read.status().code(), Status::Code::kCorruption);
    QVERIFY2(contains(read.status().message(), "block 2"), read.status().message().c_str());
  }

  void modifiedOrMissingReadingIsCorruptionWhenRead() {
    LedgerStore* store = open_store(config(schema()));
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    itc::v1::Block forged = *store->block(2);
    forged.mutable_readings(1)->set_value(-40.0);
    const std::string device = forged.readings(1).device_id();
    for (const auto& row : itc::store_common::group_by_device(forged)) {
      if (row.device_id != device) continue;
      QVERIFY(db().exec("UPDATE " + schema() +
                            ".readings SET readings = $1 WHERE height = 2 AND "
                            "device_id = '" +
                            device + "'",
                        row.packed));
    }
    auto read = store->block(2);
    QCOMPARE(read.status().code(), Status::Code::kCorruption);
    QVERIFY2(contains(read.status().message(), "block 2: merkle_root"),
             read.status().message().c_str());

    QVERIFY(db().exec("DELETE FROM " + schema() + ".readings WHERE height = 3 AND device_id = '" +
                      store->block(3)->readings(0).device_id() + "'"));
    auto missing = store->block(3);
    QCOMPARE(missing.status().code(), Status::Code::kCorruption);
    QVERIFY2(contains(missing.status().message(), "missing from the readings index"),
             missing.status().message().c_str());
  }

  void brokenLinkOrMissingBlockIsCorruption() {
    LedgerStore* store = open_store(config(schema()));
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    host_.reset();
    QVERIFY(db().exec("UPDATE " + schema() + ".blocks SET hash = $1 WHERE height = 2",
                      std::string(32, '\x0b')));
    Status link;
    QVERIFY(open_store(config(schema()), &link) == nullptr);
    QCOMPARE(link.code(), Status::Code::kCorruption);
    QVERIFY2(contains(link.message(), "prev_hash"), link.message().c_str());

    QVERIFY(db().exec("DELETE FROM " + schema() + ".blocks WHERE height = 2"));
    Status gap;
    QVERIFY(open_store(config(schema()), &gap) == nullptr);
    QCOMPARE(gap.code(), Status::Code::kCorruption);
    QVERIFY2(contains(gap.message(), "gaps"), gap.message().c_str());
  }

  void foreignOrNewerSchemaIsIncompatible() {
    LedgerStore* store = open_store(config(schema()));
    QVERIFY(store != nullptr);
    host_.reset();
    QVERIFY(db().exec("UPDATE " + schema() + ".meta SET value = '3' WHERE key = 'schema_version'"));
    Status newer;
    QVERIFY(open_store(config(schema()), &newer) == nullptr);
    QCOMPARE(newer.code(), Status::Code::kIncompatible);

    backend_->fresh_config();
    QVERIFY(db().exec("CREATE SCHEMA " + schema()));
    QVERIFY(db().exec("CREATE TABLE " + schema() + ".blocks(height bigint)"));
    Status foreign;
    QVERIFY(open_store(config(schema()), &foreign) == nullptr);
    QCOMPARE(foreign.code(), Status::Code::kIncompatible);
    QVERIFY2(contains(foreign.message(), "not a ledger this store wrote"),
             foreign.message().c_str());
  }

  // The server ends the store's session (a restart, a failover, an administrator): the
  // next call finds the connection broken before anything was committed, reconnects and
  // runs once more, so the caller sees no failure and nothing is written twice.
  void droppedConnectionIsReplacedOnTheNextCall() {
    const std::string app = "itc_reconnect_" + std::to_string(::getpid());
    LedgerStore* store = open_store(postgres_store_config(
        server_->connection + " application_name=" + app, server_->password_file, schema()));
    QVERIFY(store != nullptr);
    append_chain(*store, 1);
    const std::string prev = (*store->head())->hash();
    const std::string terminate =
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name "
        "= '" +
        app + "'";
    QCOMPARE(db().number(terminate), std::int64_t(1));
    auto b2 = make_block(2, prev, 3);
    Status appended = store->append(b2, one_entry("k", "v"));
    QVERIFY2(appended.ok(), appended.ToString().c_str());
    QCOMPARE((*store->head())->hash(), b2.hash());

    QCOMPARE(db().number(terminate), std::int64_t(1));
    auto read = store->block(2);
    QVERIFY2(read.ok(), read.status().ToString().c_str());
    QCOMPARE(read->hash(), b2.hash());
    QCOMPARE(store->state_value("k")->value_or("-"), std::string("v"));
    QCOMPARE(db().number("SELECT count(*) FROM " + schema() + ".blocks"), std::int64_t(2));
  }
};

QTEST_GUILESS_MAIN(StorePostgresTest)
#include "store_postgres_test.moc"
