#include "faulty_link.hpp"

#include <QHostAddress>

namespace itc::testing {

namespace {
constexpr qint64 kBuffered = 64 * 1024;  // per socket: a stall backs up into TCP
}

FaultyLink::FaultyLink(std::uint16_t listen_port, std::uint16_t target_port, std::uint32_t seed,
                       double corrupt_chance)
    : target_port_(target_port), rng_(seed), corrupt_chance_(corrupt_chance) {
  connect(&server_, &QTcpServer::newConnection, this, &FaultyLink::accept);
  server_.listen(QHostAddress::LocalHost, listen_port);
}

FaultyLink::~FaultyLink() {
  server_.close();
  for (auto& p : pipes_) {
    p->client->disconnect(this);
    p->target->disconnect(this);
    p->client->abort();
    p->target->abort();
  }
}

void FaultyLink::set_mode(Mode mode) {
  mode_ = mode;
  if (mode_ != Mode::kStall) flush_all();
}

void FaultyLink::accept() {
  while (QTcpSocket* client = server_.nextPendingConnection()) {
    ++connections_;
    auto pipe = std::make_unique<Pipe>();
    pipe->client = client;
    pipe->target = new QTcpSocket(client);  // owned by the client socket
    client->setReadBufferSize(kBuffered);
    pipe->target->setReadBufferSize(kBuffered);
    Pipe* p = pipe.get();
    connect(client, &QTcpSocket::readyRead, this, [this, p] { forward(p->client, p->target); });
    connect(p->target, &QTcpSocket::readyRead, this, [this, p] { forward(p->target, p->client); });
    connect(p->target, &QTcpSocket::connected, this, [this, p] { forward(p->client, p->target); });
    // Either side closing closes the other, as a real link would.
    connect(client, &QTcpSocket::disconnected, p->target, &QTcpSocket::disconnectFromHost);
    connect(p->target, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
    connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
    connect(client, &QObject::destroyed, this,
            [this, p] { std::erase_if(pipes_, [p](const auto& q) { return q.get() == p; }); });
    p->target->connectToHost(QHostAddress::LocalHost, target_port_);
    pipes_.push_back(std::move(pipe));
  }
}

void FaultyLink::forward(QTcpSocket* from, QTcpSocket* to) {
  if (mode_ == Mode::kStall || to->state() != QAbstractSocket::ConnectedState) return;
  QByteArray bytes = from->readAll();
  if (bytes.isEmpty()) return;
  if (mode_ == Mode::kCorrupt && std::bernoulli_distribution(corrupt_chance_)(rng_)) {
    const auto at = static_cast<qsizetype>(rng_() % static_cast<std::uint32_t>(bytes.size()));
    bytes[at] = static_cast<char>(bytes[at] ^ static_cast<char>(1 + rng_() % 255));
    ++bytes_flipped_;
  }
  bytes_forwarded_ += static_cast<std::uint64_t>(bytes.size());
  to->write(bytes);
}

void FaultyLink::flush_all() {
  for (auto& p : pipes_) {
    forward(p->client, p->target);
    forward(p->target, p->client);
  }
}

}  // namespace itc::testing
