// EventStream: a node's live event stream (GET /v1/events, server-sent events, one
// itc.v1.Event JSON per `data:` line). When the stream drops or cannot be opened it says
// why and reconnects by itself with exponential back-off (0.5 s doubling to 15 s); a
// refused token is reported as such and retried at the slowest pace.
// Thread safety: GUI thread only.
#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

#include "itc/v1/node.pb.h"
#include "node_api/admin_client.hpp"

class QNetworkReply;

namespace itc::studio {

class EventStream : public QObject {
  Q_OBJECT

 public:
  enum class State { kIdle, kConnecting, kLive, kWaitingToRetry };

  explicit EventStream(AdminClient* client, QObject* parent = nullptr);
  ~EventStream() override;

  void start();
  void stop();
  State state() const { return state_; }
  // Why the last attempt ended (empty while live).
  const QString& last_error() const { return last_error_; }
  int retry_delay_ms() const { return retry_ms_; }

  static constexpr int kFirstRetryMs = 500;
  static constexpr int kMaxRetryMs = 15000;

 signals:
  void event(const itc::v1::Event& e);
  // `message` says what happened in words: "live", "node went away: …; retrying in 2 s".
  void state_changed(itc::studio::EventStream::State state, const QString& message);

 private:
  void open();
  void on_data();
  void on_finished();
  void set_state(State s, const QString& message);

  AdminClient* client_;
  QPointer<QNetworkReply> reply_;
  QByteArray buffer_;
  QTimer retry_timer_;
  State state_ = State::kIdle;
  QString last_error_;
  int retry_ms_ = kFirstRetryMs;
  bool got_data_ = false;
};

}  // namespace itc::studio
