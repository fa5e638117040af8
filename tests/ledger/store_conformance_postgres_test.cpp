// The LedgerStore conformance suite against store-postgres, on the server of the ctest
// fixture "pg" (tests/ledger/pg_fixture.sh), each test in its own schema.
#include <QCoreApplication>
#include <QtTest>
#include <cstdio>

#include "pg_backend.hpp"
#include "store_conformance.hpp"

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  auto server = itc::test::postgres_server_from_env();
  if (!server) {
    std::fprintf(stderr, "ITC_PG_CONNECTION is not set: run through ctest (fixture pg)\n");
    return 1;
  }
  itc::test::PostgresBackend backend(*server, "conformance");
  itc::test::StoreConformance suite(backend);
  return QTest::qExec(&suite, argc, argv);
}
