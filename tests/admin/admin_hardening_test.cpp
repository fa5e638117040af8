// The admin API facing hostile clients: a real itc-node process, raw HTTP over a loopback
// socket. Whatever a client sends, without a token or with one, the node answers with an
// error and keeps serving everyone else; an unauthenticated client is refused before any
// of its body is read.
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "admin_client.hpp"
#include "eventually.hpp"
#include "free_port.hpp"
#include "node_process.hpp"

using itc::testing::AdminClient;
using itc::testing::eventually;

namespace {

using itc::testing::free_port;
using itc::testing::NodeProcess;

// What the server sent back on one connection: everything until it closed the connection
// or `ms` passed, or (with `until_head`) until a whole response head arrived.
struct RawReply {
  QByteArray bytes;
  bool closed = false;  // the server closed the connection
  int status() const {
    if (!bytes.startsWith("HTTP/1.1 ")) return 0;
    return bytes.mid(9, 3).toInt();
  }
  bool has_head() const { return bytes.contains("\r\n\r\n"); }
};

// Sends `head` then `rest` (in 16 KiB pieces, stopping if the server closes) and collects
// the reply.
RawReply exchange(quint16 port, const QByteArray& head, const QByteArray& rest = {},
                  bool until_head = false, int ms = 5000) {
  RawReply out;
  QTcpSocket socket;
  socket.connectToHost(QHostAddress::LocalHost, port);
  if (!socket.waitForConnected(5000)) return out;
  socket.write(head);
  socket.waitForBytesWritten(2000);
  for (qsizetype at = 0; at < rest.size() && socket.state() == QAbstractSocket::ConnectedState;
       at += 16 * 1024) {
    socket.write(rest.mid(at, 16 * 1024));
    socket.waitForBytesWritten(2000);
  }
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < ms) {
    if (until_head && out.has_head()) break;
    if (socket.waitForReadyRead(100)) {
      out.bytes += socket.readAll();
    } else if (socket.state() == QAbstractSocket::UnconnectedState) {
      out.bytes += socket.readAll();
      out.closed = true;
      break;
    }
  }
  return out;
}

// A chunked body of one byte whose trailer has a field of `trailer_bytes`.
QByteArray chunked_with_trailer(qsizetype trailer_bytes) {
  return "1\r\na\r\n0\r\nX-Padding: " + QByteArray(trailer_bytes, 'p') + "\r\n\r\n";
}

}  // namespace

class AdminHardeningTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  NodeProcess node_{dir_.path().toStdString(), "node"};
  quint16 port_ = 0;
  QByteArray token_;
  std::unique_ptr<AdminClient> client_;

  QByteArray post_head(const QByteArray& extra) const {
    return "POST /v1/config/validate HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
  }
  QByteArray auth() const { return "Authorization: Bearer " + token_ + "\r\n"; }

  // The node process is alive and answers both an anonymous probe and a token holder.
  void verify_node_serves() {
    QVERIFY2(node_.running(), qPrintable(log()));
    RawReply health = exchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", {}, true);
    QCOMPARE(health.status(), 200);
    QCOMPARE(client_->get("/v1/node").status, 200);
  }
  QString log() const {
    const QString text = node_.log();
    return text.isEmpty() ? QString("(no log)") : text;
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    port_ = free_port();
    node_.write_config("node: {name: hardening, data_dir: " + node_.path("data") +
                           ", admin: {listen: \"127.0.0.1:" + std::to_string(port_) + "\"}}\n",
                       port_);
    QVERIFY(node_.start());
    QVERIFY2(eventually(
                 [&] {
                   QFile f(dir_.filePath("data/admin.token"));
                   if (!f.open(QIODevice::ReadOnly)) return false;
                   token_ = f.readAll().trimmed();
                   return token_.size() == 64;
                 },
                 15000),
             qPrintable(log()));
    client_ = std::make_unique<AdminClient>(QString("http://127.0.0.1:%1").arg(port_), token_);
    QVERIFY2(eventually([&] { return client_->get("/v1/node").status == 200; }, 15000),
             qPrintable(log()));
  }

  void cleanupTestCase() { node_.stop(); }

  // Issue 10, item 1: this request, without a token, aborted the process (Beast throws
  // std::length_error on a trailer field over 64 KiB, and the body was parsed before the
  // token was checked).
  void anonymousChunkedTrailerOver64KiBIsRefused() {
    RawReply r = exchange(port_, post_head("Transfer-Encoding: chunked\r\n"),
                          chunked_with_trailer(70 * 1024));
    verify_node_serves();
    if (QTest::currentTestFailed()) return;
    QCOMPARE(r.status(), 401);
  }

  // The same with the token: the trailer is bounded like the header, and the client is
  // told which limit it hit.
  void authenticatedOversizedTrailerIs431() {
    for (qsizetype size : {qsizetype(20 * 1024), qsizetype(70 * 1024), qsizetype(1 << 20)}) {
      RawReply r = exchange(port_, post_head(auth() + "Transfer-Encoding: chunked\r\n"),
                            chunked_with_trailer(size));
      QCOMPARE(r.status(), 431);
      QVERIFY2(r.bytes.contains("trailer"), r.bytes.constData());
      verify_node_serves();
    }
    // A small trailer is fine.
    RawReply ok =
        exchange(port_, post_head(auth() + "Transfer-Encoding: chunked\r\nConnection: close\r\n"),
                 "14\r\nnode: {name: other}\n\r\n0\r\nX-Note: fine\r\n\r\n");
    QCOMPARE(ok.status(), 200);
    QVERIFY2(ok.bytes.contains("\"ok\":true"), ok.bytes.constData());
  }

  void oversizedHeaderIs431() {
    RawReply r = exchange(port_, "GET /v1/node HTTP/1.1\r\nHost: x\r\n" + auth() +
                                     "X-Padding: " + QByteArray(20 * 1024, 'p') + "\r\n\r\n");
    QCOMPARE(r.status(), 431);
    verify_node_serves();
  }

  // Without a token the answer comes as soon as the header is in: the declared body is
  // never waited for (it is not sent at all here), read or buffered.
  void anonymousBodyIsNotRead() {
    for (const char* length : {"524288", "104857600"}) {  // under and over the 1 MiB limit
      QElapsedTimer t;
      t.start();
      RawReply r = exchange(port_, post_head(QByteArray("Content-Length: ") + length + "\r\n"), {},
                            true, 5000);
      QVERIFY2(r.has_head(), "no answer before the body: the server waits for it");
      QCOMPARE(r.status(), 401);
      QVERIFY2(r.bytes.contains("Connection: close"), r.bytes.constData());
      QVERIFY(t.elapsed() < 3000);
    }
    // A wrong token is refused the same way.
    RawReply wrong = exchange(
        port_,
        post_head("Authorization: Bearer " + QByteArray(64, '0') + "\r\nContent-Length: 1000\r\n"),
        {}, true, 5000);
    QCOMPARE(wrong.status(), 401);
    verify_node_serves();
  }

  // A token holder with Expect: 100-continue is told to go on, and its body is read.
  void expectContinueAfterTheToken() {
    const QByteArray body = "node: {name: other}\n";
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port_);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(post_head(auth() +
                           "Expect: 100-continue\r\nConnection: close\r\nContent-Length: " +
                           QByteArray::number(body.size()) + "\r\n"));
    QByteArray got;
    QVERIFY(eventually(
        [&] {
          socket.waitForReadyRead(50);
          got += socket.readAll();
          return got.contains("\r\n\r\n");
        },
        5000));
    QVERIFY2(got.startsWith("HTTP/1.1 100 Continue\r\n"), got.constData());
    socket.write(body);
    QVERIFY(eventually(
        [&] {
          socket.waitForReadyRead(50);
          got += socket.readAll();
          return got.contains("\"ok\":true");
        },
        5000));
    QVERIFY2(got.contains("HTTP/1.1 200 OK"), got.constData());
  }

  void chunkedBodyOverOneMebibyteIs413() {
    QByteArray body;
    const QByteArray chunk(64 * 1024, 'x');
    for (int i = 0; i < 20; ++i) body += "10000\r\n" + chunk + "\r\n";
    body += "0\r\n\r\n";
    RawReply r = exchange(port_, post_head(auth() + "Transfer-Encoding: chunked\r\n"), body);
    QCOMPARE(r.status(), 413);
    verify_node_serves();
  }

  // Probes need no token and never take a body.
  void probesAreAnonymousAndBodiless() {
    RawReply ready = exchange(port_, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n", {}, true);
    QCOMPARE(ready.status(), 200);  // no plugins: started and nothing to run
    RawReply with_body = exchange(
        port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", {}, true);
    QCOMPARE(with_body.status(), 200);
    QVERIFY2(with_body.bytes.contains("Connection: close"), with_body.bytes.constData());
    verify_node_serves();
  }
};

QTEST_GUILESS_MAIN(AdminHardeningTest)
#include "admin_hardening_test.moc"
