// The LedgerStore conformance suite against store-sqlite.
#include <QCoreApplication>
#include <QtTest>

#include "store_conformance.hpp"

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  itc::test::SqliteBackend backend;
  itc::test::StoreConformance suite(backend);
  return QTest::qExec(&suite, argc, argv);
}
