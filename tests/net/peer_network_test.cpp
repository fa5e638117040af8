// PeerNetwork between real nodes on 127.0.0.1: TLS 1.3 links authenticated by the
// validators' Ed25519 keys, ordered exactly-once delivery, refusals that say why, links that
// come back after a restart, bounded queues for a slow peer, the frame size limit, a flood of
// half-open handshakes held under its caps and a clean stop.
#include <QtTest>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <thread>
#include <utility>

#include "net_fixture.hpp"

using namespace itc;
using namespace itc::test;
using namespace std::chrono_literals;

namespace {

// A bound for waiting on a loaded machine, not a measured time.
constexpr int kWait = 20000;

// "B#17|abc..." up to `size` bytes: sender, sequence and size all checkable.
std::string numbered_frame(std::uint32_t sender, int seq, std::size_t size) {
  std::string f = std::string(1, static_cast<char>('A' + sender)) + "#" + std::to_string(seq) + "|";
  while (f.size() < size) f.push_back(static_cast<char>('a' + (f.size() + seq) % 26));
  return f;
}

bool has(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

bool all_linked(const std::vector<std::unique_ptr<Node>>& nodes) {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto stats = nodes[i]->net->stats();
    for (std::size_t j = 0; j < stats.size(); ++j) {
      if (j != i && (!stats[j].connected_out || !stats[j].connected_in)) return false;
    }
  }
  return true;
}

// start() must refuse `options` with InvalidArgument/Unavailable naming `needle`.
void expect_refused(net::PeerNetworkOptions options, const std::string& needle) {
  Status status;
  auto node = start_node(std::move(options), {}, &status);
  QVERIFY(!node);
  QVERIFY2(has(status.message(), needle), status.ToString().c_str());
}

// Connections this process has accepted on `port` and holds open (ESTABLISHED, owned by a
// socket): what a listener keeps, seen by the kernel rather than by the listener. Read in
// large pieces: the kernel may count a connection twice where a read resumes.
std::size_t accepted_on(std::uint16_t port) {
  std::FILE* f = std::fopen("/proc/net/tcp", "r");
  if (f == nullptr) return 0;
  std::string text;
  std::vector<char> buffer(1u << 20);
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0;) {
    text.append(buffer.data(), n);
  }
  std::fclose(f);
  std::size_t count = 0;
  for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at)) {
    unsigned local_port = 0;
    unsigned state = 0;
    unsigned long inode = 0;
    if (std::sscanf(text.c_str() + ++at, " %*u: %*x:%x %*x:%*x %x %*x:%*x %*x:%*x %*x %*u %*u %lu",
                    &local_port, &state, &inode) == 3 &&
        local_port == port && state == 0x01 && inode != 0) {
      ++count;
    }
  }
  return count;
}

// Sockets a test opened by hand, closed when it ends, however it ends.
struct OpenSockets {
  std::mutex mu;
  std::deque<int> fds;
  ~OpenSockets() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
};

}  // namespace

class PeerNetworkTest : public QObject {
  Q_OBJECT

 private slots:
  void startRejectsBadOptions() {
    ValidatorSet set(3);
    auto o = set.options(0);
    o.identity = new_key();
    expect_refused(o, "identity: the key does not match peers[0] (A)");
    o = set.options(0);
    o.peers[1].address = "127.0.0.1";
    expect_refused(o, "peers[1] (B): address '127.0.0.1': expected host:port");
    o = set.options(0);
    o.peers[2].address = "127.0.0.1:99999";
    expect_refused(o, "peers[2] (C): address '127.0.0.1:99999': port '99999' is not a number");
    o = set.options(0);
    o.peers[2].public_key = o.peers[1].public_key;
    expect_refused(o, "peers[2] (C): public_key appears twice");
    o = set.options(0);
    o.peers[1].public_key = "short";
    expect_refused(o, "peers[1] (B): public_key: Ed25519 public key is 5 bytes, expected 32");
    o = set.options(0);
    o.self_index = 3;
    expect_refused(o, "self_index 3 is outside peers (3 validators)");
    o = set.options(0);
    o.max_queue_bytes_per_peer = o.max_frame_bytes;
    expect_refused(o, "max_queue_bytes_per_peer (33554432) must hold at least one frame");
    o = set.options(0);
    o.max_pending_handshakes = 2;
    expect_refused(o, "max_pending_handshakes (2) must exceed the 2 slots kept for the other");
    o = set.options(0);
    o.max_pending_handshakes_per_address = 0;
    expect_refused(o, "max_pending_handshakes_per_address must be at least 1");

    auto a = start_node(set.options(0));
    QVERIFY(a);
    expect_refused(set.options(0), "listen " + set.specs[0].address + ": Address already in use");
  }

  void allToAllDeliversEveryFrameOnceInOrder() {
    constexpr std::uint32_t kNodes = 4;
    constexpr int kFrames = 400;
    // Mostly small frames (packed into shared writes); every 50th is 100 KiB (written in
    // place); sizes vary so frame boundaries fall anywhere in TLS records.
    auto size_of = [](int seq) -> std::size_t {
      return seq % 50 == 49 ? 100u << 10 : 16 + (seq * 37) % 3000;
    };
    ValidatorSet set(kNodes);
    std::vector<std::unique_ptr<Node>> nodes;
    for (std::uint32_t i = 0; i < kNodes; ++i) {
      auto o = set.options(i);
      o.io_threads = i % 2 == 0 ? 1 : 2;
      nodes.push_back(start_node(o));
      QVERIFY(nodes.back());
    }
    // Every node sends at once from its own thread, before its links are necessarily up:
    // frames wait in the queues until then.
    std::vector<std::thread> senders;
    for (std::uint32_t i = 0; i < kNodes; ++i) {
      senders.emplace_back([&, i] {
        for (int seq = 0; seq < kFrames; ++seq) {
          std::string frame = numbered_frame(i, seq, size_of(seq));
          if (seq % 2 == 0) {
            nodes[i]->net->broadcast(frame);
          } else {
            for (std::uint32_t j = 0; j < kNodes; ++j) {
              if (j != i) nodes[i]->net->send(j, frame);
            }
          }
        }
      });
    }
    for (auto& t : senders) t.join();

    for (std::uint32_t r = 0; r < kNodes; ++r) {
      for (std::uint32_t s = 0; s < kNodes; ++s) {
        if (r == s) continue;
        QTRY_COMPARE_WITH_TIMEOUT(nodes[r]->inbox.count(s), std::size_t(kFrames), kWait);
        auto got = nodes[r]->inbox.from(s);
        for (int seq = 0; seq < kFrames; ++seq) {
          QCOMPARE(got[seq], numbered_frame(s, seq, size_of(seq)));
        }
        QCOMPARE(nodes[r]->stats_of(s).frames_received, std::uint64_t(kFrames));
        auto sent = nodes[s]->stats_of(r);
        QCOMPARE(sent.frames_sent, std::uint64_t(kFrames));
        QCOMPARE(sent.frames_dropped, std::uint64_t(0));
        QCOMPARE(sent.bytes_queued, std::uint64_t(0));
      }
    }
    QTRY_VERIFY_WITH_TIMEOUT(all_linked(nodes), kWait);
    // Both directions are TLS 1.3 with Ed25519 signatures.
    QVERIFY2(nodes[0]->logged({"link to B (", "up: TLSv1.3", "peer signature ED25519"}),
             nodes[0]->log_text().c_str());
    QVERIFY2(nodes[0]->logged({"link from B (", "up: TLSv1.3", "peer signature ED25519"}),
             nodes[0]->log_text().c_str());
  }

  void keyOutsideTheSetIsRefused() {
    ValidatorSet set(3);
    auto a = start_node(set.options(0));
    auto b = start_node(set.options(1));
    QVERIFY(a && b);
    // X holds a key outside the set and takes C's place: C's address, its own key.
    auto outsider = new_key();
    auto xo = set.options(2);
    xo.identity = outsider;
    xo.peers[2].public_key = outsider.public_key();
    auto x = start_node(xo);
    QVERIFY(x);
    QVERIFY(x->net->send(0, "from the outsider"));
    x->net->broadcast("again");

    // A refuses X's link and says why, naming where it came from.
    QTRY_VERIFY2_WITH_TIMEOUT(
        a->logged({"refused link from 127.0.0.1:", "the peer's key", "is not a validator key"}),
        a->log_text().c_str(), kWait);
    // X learns it was refused, from the peer's TLS alert.
    QTRY_VERIFY_WITH_TIMEOUT(has(x->stats_of(0).last_error, "refused this node's certificate"),
                             kWait);
    // A's own link to C's address meets X's key, and is refused too.
    QTRY_VERIFY_WITH_TIMEOUT(
        a->logged({"link to C (" + set.specs[2].address + ") failed", "is not a validator key"}),
        kWait);
    QVERIFY(has(a->stats_of(2).last_error, "is not a validator key"));

    // Nothing X sent was delivered: it never had a link to write on.
    QCOMPARE(a->inbox.count(2), std::size_t(0));
    QCOMPARE(b->inbox.count(2), std::size_t(0));
    QCOMPARE(x->stats_of(0).frames_sent, std::uint64_t(0));
    QVERIFY(!x->stats_of(0).connected_out);
    QVERIFY(!a->stats_of(2).connected_in);
    // The validators still talk to each other.
    QVERIFY(a->net->send(1, "hello B"));
    QTRY_COMPARE_WITH_TIMEOUT(b->inbox.from(0), std::vector<std::string>{"hello B"}, kWait);
  }

  void dialledPeerMustPresentTheDialledKey() {
    ValidatorSet set(3);
    auto a = start_node(set.options(0));
    // At C's address listens a node holding B's key (B itself is not running).
    auto io = set.options(1);
    io.listen_address = set.specs[2].address;
    auto impostor = start_node(io);
    QVERIFY(a && impostor);
    QVERIFY(a->net->send(2, "for C only"));

    QTRY_VERIFY2_WITH_TIMEOUT(has(a->stats_of(2).last_error,
                                  "presented the key of validator 1 (B), not of validator 2 (C)"),
                              a->stats_of(2).last_error.c_str(), kWait);
    QVERIFY(a->logged({"link to C (" + set.specs[2].address + ") failed",
                       "validator 1 (B), not of validator 2 (C)"}));
    auto c = a->stats_of(2);
    QVERIFY(!c.connected_out);
    QCOMPARE(c.frames_sent, std::uint64_t(0));
    QVERIFY(c.bytes_queued > 0);  // the frame waits for the real C
    QCOMPARE(impostor->inbox.count(0), std::size_t(0));
  }

  void handshakeRefusalsNameTheCause() {
    namespace asio = boost::asio;
    ValidatorSet set(2);
    auto o = set.options(0);
    o.handshake_timeout = 300ms;
    auto a = start_node(o);
    QVERIFY(a);
    const std::uint16_t port = a->net->listen_port();

    {  // A client that offers only TLS 1.2.
      asio::io_context io;
      asio::ssl::context tls12(asio::ssl::context::tlsv12_client);
      tls12.set_verify_mode(asio::ssl::verify_none);
      asio::ssl::stream<asio::ip::tcp::socket> client(io, tls12);
      client.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
      boost::system::error_code ec;
      client.handshake(asio::ssl::stream_base::client, ec);
      QVERIFY(ec);
    }
    QTRY_VERIFY2_WITH_TIMEOUT(a->logged({"refused link from 127.0.0.1:", "not TLS 1.3"}),
                              a->log_text().c_str(), kWait);

    int plain = connect_to(port);  // not TLS at all
    QVERIFY(plain >= 0);
    const char request[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    QVERIFY(::write(plain, request, sizeof request - 1) > 0);
    QTRY_VERIFY2_WITH_TIMEOUT(a->logged({"refused link from 127.0.0.1:", "http request"}),
                              a->log_text().c_str(), kWait);
    ::close(plain);

    int mute = connect_to(port);  // connects and says nothing
    QVERIFY(mute >= 0);
    QTRY_VERIFY2_WITH_TIMEOUT(
        a->logged({"refused link from 127.0.0.1:", "TLS handshake timeout (300 ms)"}),
        a->log_text().c_str(), kWait);
    ::close(mute);

    // Something at B's address takes the TCP connection and never answers.
    int silent = listen_silently(static_cast<std::uint16_t>(
        std::stoi(set.specs[1].address.substr(set.specs[1].address.rfind(':') + 1))));
    QTRY_VERIFY2_WITH_TIMEOUT(has(a->stats_of(1).last_error, "TLS handshake timeout (300 ms)"),
                              a->log_text().c_str(), kWait);
    QVERIFY(a->logged({"link to B (" + set.specs[1].address + ") failed", "timeout"}));
    a.reset();
    ::close(silent);
  }

  void restartedPeerLinksComeBack() {
    ValidatorSet set(2);
    auto a = start_node(set.options(0));
    auto b = start_node(set.options(1));
    QVERIFY(a && b);
    QVERIFY(a->net->send(1, "first"));
    QTRY_COMPARE_WITH_TIMEOUT(b->inbox.count(0), std::size_t(1), kWait);

    b.reset();  // B stops; its links close
    QTRY_VERIFY_WITH_TIMEOUT(!a->stats_of(1).connected_out && !a->stats_of(1).connected_in, kWait);
    std::vector<std::string> queued;
    for (int i = 0; i < 10; ++i) {
      queued.push_back("while B was away " + std::to_string(i));
      QVERIFY(a->net->send(1, queued.back()));
    }
    QVERIFY(a->stats_of(1).bytes_queued > 0);

    b = start_node(set.options(1));  // same key, same address
    QVERIFY(b);
    QTRY_COMPARE_WITH_TIMEOUT(b->inbox.count(0), queued.size(), kWait);
    QCOMPARE(b->inbox.from(0), queued);
    QVERIFY(a->net->send(1, "after"));
    QVERIFY(b->net->send(0, "back"));
    QTRY_COMPARE_WITH_TIMEOUT(b->inbox.count(0), queued.size() + 1, kWait);
    QCOMPARE(b->inbox.from(0).back(), std::string("after"));
    QTRY_COMPARE_WITH_TIMEOUT(a->inbox.from(1), std::vector<std::string>{"back"}, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(a->stats_of(1).connected_in, kWait);
    QVERIFY(a->stats_of(1).reconnects >= 1);
    QVERIFY(a->logged({"link to B (" + set.specs[1].address + ") lost"}));
  }

  void newIncomingLinkReplacesTheOld() {
    ValidatorSet set(2);
    auto a = start_node(set.options(0));
    // The first B redials slowly, so the second B's link stays once it has replaced it.
    auto first_options = set.options(1);
    first_options.reconnect_min = first_options.reconnect_max = 60s;
    auto first = start_node(first_options);
    QVERIFY(a && first);
    QVERIFY(first->net->send(0, "from the first B"));
    QTRY_COMPARE_WITH_TIMEOUT(a->inbox.count(1), std::size_t(1), kWait);

    // B comes back elsewhere (a new process, a new port) before A noticed the old link die.
    auto second_options = set.options(1);
    second_options.listen_address = "127.0.0.1:0";
    auto second = start_node(second_options);
    QVERIFY(second);
    QTRY_VERIFY2_WITH_TIMEOUT(
        a->logged({"link from B (127.0.0.1:", "closed: replaced by a newer link from B"}),
        a->log_text().c_str(), kWait);
    QTRY_VERIFY_WITH_TIMEOUT(!first->stats_of(0).connected_out, kWait);
    QVERIFY(second->net->send(0, "from the second B"));
    QTRY_COMPARE_WITH_TIMEOUT(a->inbox.count(1), std::size_t(2), kWait);
    QCOMPARE(a->inbox.from(1).back(), std::string("from the second B"));
    QVERIFY(a->stats_of(1).connected_in);
  }

  void slowPeerDoesNotStallTheOthers() {
    ValidatorSet set(4);  // A sends; B and C keep up; D's frame handler is stuck
    std::mutex gate_mu;
    std::condition_variable gate_cv;
    bool gate_open = false;
    auto ao = set.options(0);
    ao.max_queue_bytes_per_peer = 1u << 20;
    ao.max_frame_bytes = 256u << 10;  // a queue must hold at least one frame of the limit
    auto a = start_node(ao);
    auto b = start_node(set.options(1));
    auto c = start_node(set.options(2));
    auto d = start_node(set.options(3), [&](std::uint32_t, std::string) {
      std::unique_lock lock(gate_mu);
      gate_cv.wait(lock, [&] { return gate_open; });
    });
    QVERIFY(a && b && c && d);
    QTRY_VERIFY_WITH_TIMEOUT(a->stats_of(1).connected_out && a->stats_of(2).connected_out &&
                                 a->stats_of(3).connected_out,
                             kWait);

    // Rounds of 16 KiB frames to all three until D's queue overflows: B and C must receive
    // each round in full while D's socket buffers and then its queue fill up.
    constexpr std::size_t kFrameBytes = 16u << 10;
    constexpr int kRound = 32;
    int sent = 0;
    std::uint64_t refused_for_d = 0;
    for (int round = 0; round < 1000 && a->stats_of(3).frames_dropped == 0; ++round) {
      for (int k = 0; k < kRound; ++k, ++sent) {
        std::string frame = numbered_frame(0, sent, kFrameBytes);
        QVERIFY(a->net->send(1, frame));
        QVERIFY(a->net->send(2, frame));
        if (!a->net->send(3, frame)) ++refused_for_d;
      }
      QTRY_COMPARE_WITH_TIMEOUT(b->inbox.count(0), std::size_t(sent), kWait);
      QTRY_COMPARE_WITH_TIMEOUT(c->inbox.count(0), std::size_t(sent), kWait);
    }
    auto slow = a->stats_of(3);
    QVERIFY2(slow.frames_dropped > 0, "D's queue never filled");
    QCOMPARE(slow.frames_dropped, refused_for_d);
    QVERIFY(slow.bytes_queued <= ao.max_queue_bytes_per_peer);
    QVERIFY2(a->logged({"frames for D (" + set.specs[3].address + ") dropped: send queue full"}),
             a->log_text().c_str());
    auto got_b = b->inbox.from(0);
    auto got_c = c->inbox.from(0);
    for (int i = 0; i < sent; ++i) {
      QCOMPARE(got_b[i], numbered_frame(0, i, kFrameBytes));
      QCOMPARE(got_c[i], numbered_frame(0, i, kFrameBytes));
    }
    QCOMPARE(a->stats_of(1).frames_dropped, std::uint64_t(0));
    QCOMPARE(a->stats_of(2).frames_dropped, std::uint64_t(0));
    qInfo("D's queue overflowed after %d frames of 16 KiB; %llu dropped", sent,
          static_cast<unsigned long long>(slow.frames_dropped));

    {
      std::lock_guard lock(gate_mu);
      gate_open = true;
    }
    gate_cv.notify_all();
  }

  void oversizedFrameClosesTheLink() {
    ValidatorSet set(2);
    auto ao = set.options(0);
    ao.max_frame_bytes = 64u << 10;
    auto bo = set.options(1);
    bo.max_frame_bytes = 1u << 20;
    auto a = start_node(ao);
    auto b = start_node(bo);
    QVERIFY(a && b);
    QVERIFY(b->net->send(0, "before"));
    QVERIFY(b->net->send(0, std::string(200u << 10, 'x')));

    QTRY_VERIFY2_WITH_TIMEOUT(
        a->logged({"link from B (127.0.0.1:",
                   "closed: a frame of 204800 bytes exceeds max_frame_bytes 65536"}),
        a->log_text().c_str(), kWait);
    QVERIFY(has(a->stats_of(1).last_error, "exceeds max_frame_bytes 65536"));
    // B sees the link closed and redials; what it sends then arrives. The frame before the
    // oversized one was delivered; the oversized one never is.
    QTRY_VERIFY_WITH_TIMEOUT(b->stats_of(0).reconnects >= 1 && b->stats_of(0).connected_out, kWait);
    QVERIFY(b->net->send(0, "after"));
    QTRY_COMPARE_WITH_TIMEOUT(a->inbox.count(1), std::size_t(2), kWait);
    QCOMPARE(a->inbox.from(1), (std::vector<std::string>{"before", "after"}));

    // A sender refuses a frame over its own limit instead of breaking the link with it.
    std::uint64_t dropped = b->stats_of(0).frames_dropped;
    QVERIFY(!b->net->send(0, std::string((1u << 20) + 1, 'y')));
    QCOMPARE(b->stats_of(0).frames_dropped, dropped + 1);
    QVERIFY(b->logged({"frames for A (", "exceeds max_frame_bytes 1048576"}));
  }

  // The caps one connection at a time: an address past its share is refused, outsiders
  // cannot take the slots kept for the validators, and the validators use them.
  void validatorsKeepTheirHandshakeSlots() {
    ValidatorSet set(3);  // 2 slots kept for B and C
    auto ao = set.options(0);
    ao.max_pending_handshakes = 12;
    ao.max_pending_handshakes_per_address = 4;
    ao.handshake_timeout = 60s;  // the silent connections hold their slots for the whole test
    auto a = start_node(ao);
    QVERIFY(a);
    const std::uint16_t port = a->net->listen_port();
    OpenSockets silent;
    auto open_from = [&](const char* source, int n) {
      for (int i = 0; i < n; ++i) {
        int fd = connect_from(source, port);
        QVERIFY(fd >= 0);
        silent.fds.push_back(fd);
      }
    };
    auto stats = [&] { return a->net->handshake_stats(); };

    open_from("127.0.0.2", 6);  // 4 taken, 2 refused: the address had its share
    QTRY_COMPARE_WITH_TIMEOUT(stats().refused_per_address, std::uint64_t(2), kWait);
    QTRY_COMPARE_WITH_TIMEOUT(stats().pending, std::uint64_t(4), kWait);
    QVERIFY2(a->logged({"refused a connection from 127.0.0.2:",
                        "unread: max_pending_handshakes_per_address (4) reached by 127.0.0.2"}),
             a->log_text().c_str());
    open_from("127.0.0.3", 4);
    open_from("127.0.0.4", 4);  // 2 taken, then only the validators' slots are left
    QTRY_COMPARE_WITH_TIMEOUT(stats().refused_total, std::uint64_t(2), kWait);
    QCOMPARE(stats().pending, std::uint64_t(10));

    auto b = start_node(set.options(1));
    auto c = start_node(set.options(2));
    QVERIFY(b && c);
    std::vector<std::unique_ptr<Node>> nodes;
    nodes.push_back(std::move(a));
    nodes.push_back(std::move(b));
    nodes.push_back(std::move(c));
    QTRY_VERIFY_WITH_TIMEOUT(all_linked(nodes), kWait);
    QVERIFY(nodes[1]->net->send(0, "through the flood"));
    QTRY_COMPARE_WITH_TIMEOUT(nodes[0]->inbox.count(1), std::size_t(1), kWait);

    open_from("127.0.0.5", 1);  // still no room for outsiders
    QTRY_COMPARE_WITH_TIMEOUT(nodes[0]->net->handshake_stats().refused_total, std::uint64_t(3),
                              kWait);
    QVERIFY(
        nodes[0]->logged({"unread: max_pending_handshakes (12) reached (2 kept for the "
                          "validators)"}));
    QCOMPARE(nodes[0]->net->handshake_stats().pending, std::uint64_t(10));
    QCOMPARE(nodes[0]->net->handshake_stats().timed_out, std::uint64_t(0));

    for (int& fd : silent.fds) ::close(std::exchange(fd, -1));  // their TLS state goes too
    QTRY_COMPARE_WITH_TIMEOUT(nodes[0]->net->handshake_stats().pending, std::uint64_t(0), kWait);
    QVERIFY(nodes[0]->net->handshake_stats().peak_pending <= 12);
  }

  // 2,000 connections (bursts of 20 from each of 100 addresses) that send a partial
  // ClientHello or nothing: A holds at most max_pending_handshakes of them (and
  // max_pending_handshakes_per_address from one address), refuses the rest unread, and the
  // validators connect and talk meanwhile; once the flood is closed or timed out nothing is
  // pending.
  void handshakeFloodStaysUnderItsCaps() {
    constexpr std::size_t kCap = 64;
    constexpr std::size_t kPerAddress = 4;
    constexpr std::size_t kAddresses = 100;  // 127.0.0.2 .. 127.0.0.101
    constexpr std::size_t kBurst = 20;       // connections in a row from one address
    constexpr std::size_t kOpen = 2000;      // attacker connections held open at once
    ValidatorSet set(3);
    auto ao = set.options(0);
    ao.max_pending_handshakes = kCap;
    ao.max_pending_handshakes_per_address = kPerAddress;
    ao.handshake_timeout = 1500ms;
    ao.io_threads = 2;
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Node>> nodes;  // outlives the threads below
    nodes.push_back(start_node(ao));
    QVERIFY(nodes[0]);
    Node& target = *nodes[0];
    const std::uint16_t port = target.net->listen_port();

    OpenSockets attackers;

    // Watches A throughout: its own count and, independently, the connections it holds.
    std::size_t most_pending = 0;
    std::size_t most_accepted = 0;
    std::jthread watcher([&](std::stop_token stop) {
      while (!stop.stop_requested()) {
        most_pending = std::max<std::size_t>(most_pending, target.net->handshake_stats().pending);
        most_accepted = std::max(most_accepted, accepted_on(port));
        std::this_thread::sleep_for(5ms);
      }
    });

    // The attackers keep kOpen connections open, replacing the oldest, until stopped; every
    // other one sends a partial ClientHello, the rest say nothing.
    std::atomic<std::size_t> opened{0};
    std::jthread flood([&](std::stop_token stop) {
      for (std::size_t i = 0; !stop.stop_requested(); ++i) {
        std::string source = "127.0.0." + std::to_string(2 + (i / kBurst) % kAddresses);
        int fd = connect_from(source.c_str(), port);
        if (fd < 0) continue;
        if (i % 2 == 0) (void)::write(fd, kPartialClientHello, sizeof kPartialClientHello);
        ++opened;
        std::lock_guard lock(attackers.mu);
        attackers.fds.push_back(fd);
        if (attackers.fds.size() > kOpen) {
          ::close(attackers.fds.front());
          attackers.fds.pop_front();
        }
        if (i % 20 == 19) std::this_thread::sleep_for(10ms);
      }
    });
    QTRY_VERIFY_WITH_TIMEOUT(opened.load() >= kOpen, kWait);

    // B and C join while the flood goes on, and all three talk.
    nodes.push_back(start_node(set.options(1)));
    nodes.push_back(start_node(set.options(2)));
    QVERIFY(nodes[1] && nodes[2]);
    QTRY_VERIFY_WITH_TIMEOUT(all_linked(nodes), kWait);
    for (std::uint32_t from = 0; from < 3; ++from) {
      for (std::uint32_t to = 0; to < 3; ++to) {
        if (to != from) QVERIFY(nodes[from]->net->send(to, numbered_frame(from, 0, 64)));
      }
    }
    for (std::uint32_t to = 0; to < 3; ++to) {
      for (std::uint32_t from = 0; from < 3; ++from) {
        if (to == from) continue;
        QTRY_COMPARE_WITH_TIMEOUT(nodes[to]->inbox.from(from),
                                  std::vector<std::string>{numbered_frame(from, 0, 64)}, kWait);
      }
    }
    QVERIFY(!flood.get_stop_token().stop_requested());  // all of it happened under the flood

    // The flood stops; the partial ClientHellos are closed by their senders, the silent ones
    // are left to time out.
    flood.request_stop();
    flood.join();
    {
      std::lock_guard lock(attackers.mu);
      for (std::size_t i = 0; i < attackers.fds.size(); i += 2) {
        ::close(std::exchange(attackers.fds[i], -1));
      }
    }
    QTRY_COMPARE_WITH_TIMEOUT(target.net->handshake_stats().pending, std::uint64_t(0), kWait);
    watcher.request_stop();
    watcher.join();
    net::HandshakeStats after = target.net->handshake_stats();

    qInfo(
        "%zu attacker connections; A: peak %llu pending, %zu connections held at most, "
        "%llu refused at the total cap, %llu at the per-address cap, %llu timed out",
        opened.load(), static_cast<unsigned long long>(after.peak_pending), most_accepted,
        static_cast<unsigned long long>(after.refused_total),
        static_cast<unsigned long long>(after.refused_per_address),
        static_cast<unsigned long long>(after.timed_out));
    QVERIFY2(after.peak_pending <= kCap, std::to_string(after.peak_pending).c_str());
    QVERIFY2(most_pending <= kCap, std::to_string(most_pending).c_str());
    // The cap and the two validators' links, give or take a few: /proc/net/tcp is read in
    // pieces while connections come and go, so it may count one twice.
    QVERIFY2(most_accepted <= kCap + 16, std::to_string(most_accepted).c_str());
    QVERIFY(after.refused_total > 0);
    QVERIFY(after.refused_per_address > 0);
    QVERIFY(after.timed_out > 0);
    // The links stayed up, and the log said what happened without a line per connection.
    QVERIFY(all_linked(nodes));
    QVERIFY2(target.logged({"refused a connection from 127.0.0.", "unread: max_pending_handshakes",
                            "refused since the last warning"}),
             target.log_text().c_str());
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
            .count();
    std::size_t warnings = 0;  // about the attackers (127.0.0.1 is the validators')
    for (const std::string& line : target.log.lines()) {
      warnings +=
          line.starts_with("WARN") && has(line, "from 127.0.0.") && !has(line, "from 127.0.0.1:");
    }
    QVERIFY2(warnings <= 20 * static_cast<std::size_t>(seconds / 10 + 1),
             std::to_string(warnings).c_str());
  }

  void stopIsClean() {
    ValidatorSet set(2);
    std::atomic<bool> stop_returned{false};
    std::atomic<int> late_calls{0};
    std::atomic<int> calls{0};
    auto ao = set.options(0);
    ao.io_threads = 2;
    auto a = start_node(ao, [&](std::uint32_t, std::string) {
      if (stop_returned.load()) ++late_calls;
      ++calls;
    });
    auto b = start_node(set.options(1));
    QVERIFY(a && b);
    int half_open = connect_to(a->net->listen_port());  // mid-handshake when A stops
    QVERIFY(half_open >= 0);

    std::atomic<bool> flooding{true};
    std::thread flood([&] {
      const std::string frame(512, 'f');
      while (flooding.load()) {
        if (!b->net->send(0, frame)) std::this_thread::yield();
      }
    });
    QTRY_VERIFY_WITH_TIMEOUT(calls.load() > 2000, kWait);

    a->net->stop();
    stop_returned = true;
    QTRY_VERIFY_WITH_TIMEOUT(!b->stats_of(0).connected_out, kWait);  // B saw the link close
    QCOMPARE(late_calls.load(), 0);
    a->net->stop();  // idempotent
    QVERIFY(!a->net->send(1, "after stop"));
    QVERIFY(a->logged({"peer network: stopped"}));

    // B stops while another thread still sends: send() turns false, nothing hangs.
    b->net->stop();
    QVERIFY(!b->net->send(0, "after stop"));
    flooding = false;
    flood.join();
    ::close(half_open);
  }
};

QTEST_GUILESS_MAIN(PeerNetworkTest)
#include "peer_network_test.moc"
