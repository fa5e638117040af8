// FaultyLink: a TCP proxy inside a test, put where a validator's peers dial it (its
// genesis address) in front of where it really listens (pbft listen_address). Every
// connection through it is forwarded both ways, and the test switches what happens to
// the bytes: passed on, corrupted (one byte of a forwarded chunk flipped, at random) or
// stalled (nothing read or forwarded: the senders' TCP windows fill, as on a hung link),
// then passed on again, the stalled bytes first.
// Not thread-safe: the test's thread, which runs Qt events (eventually(), QTest::qWait).
#pragma once

#include <QTcpServer>
#include <QTcpSocket>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace itc::testing {

class FaultyLink : public QObject {
  Q_OBJECT

 public:
  enum class Mode { kPass, kCorrupt, kStall };

  // Listens on 127.0.0.1:`listen_port`, forwards to 127.0.0.1:`target_port`. A chunk is
  // corrupted with probability `corrupt_chance` in kCorrupt mode.
  FaultyLink(std::uint16_t listen_port, std::uint16_t target_port, std::uint32_t seed,
             double corrupt_chance = 0.5);
  ~FaultyLink() override;

  bool listening() const { return server_.isListening(); }
  void set_mode(Mode mode);

  std::uint64_t connections() const { return connections_; }
  std::uint64_t bytes_forwarded() const { return bytes_forwarded_; }
  std::uint64_t bytes_flipped() const { return bytes_flipped_; }

 private:
  struct Pipe {
    QTcpSocket* client = nullptr;  // the dialling validator
    QTcpSocket* target = nullptr;  // the validator behind the link
  };
  void accept();
  void forward(QTcpSocket* from, QTcpSocket* to);
  void flush_all();

  QTcpServer server_;
  std::uint16_t target_port_;
  std::mt19937 rng_;
  double corrupt_chance_;
  Mode mode_ = Mode::kPass;
  std::vector<std::unique_ptr<Pipe>> pipes_;
  std::uint64_t connections_ = 0;
  std::uint64_t bytes_forwarded_ = 0;
  std::uint64_t bytes_flipped_ = 0;
};

}  // namespace itc::testing
