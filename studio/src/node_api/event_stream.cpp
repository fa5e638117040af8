#include "node_api/event_stream.hpp"

#include <QNetworkReply>

#include "node_api/proto_json.hpp"

namespace itc::studio {

EventStream::EventStream(AdminClient* client, QObject* parent) : QObject(parent), client_(client) {
  retry_timer_.setSingleShot(true);
  connect(&retry_timer_, &QTimer::timeout, this, &EventStream::open);
}

EventStream::~EventStream() { stop(); }

void EventStream::start() {
  if (state_ != State::kIdle) return;
  retry_ms_ = kFirstRetryMs;
  open();
}

void EventStream::stop() {
  retry_timer_.stop();
  if (reply_) {
    QNetworkReply* r = reply_;
    reply_ = nullptr;
    r->disconnect(this);
    r->abort();
    r->deleteLater();
  }
  state_ = State::kIdle;
}

void EventStream::open() {
  buffer_.clear();
  got_data_ = false;
  set_state(State::kConnecting, "connecting to the event stream");
  reply_ = client_->open_stream("/v1/events");
  connect(reply_, &QNetworkReply::metaDataChanged, this, [this] {
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200) {
      retry_ms_ = kFirstRetryMs;
      last_error_.clear();
      set_state(State::kLive, "live");
    }
  });
  connect(reply_, &QNetworkReply::readyRead, this, &EventStream::on_data);
  connect(reply_, &QNetworkReply::finished, this, &EventStream::on_finished);
}

void EventStream::on_data() {
  if (reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) return;
  buffer_ += reply_->readAll();
  // Events are separated by a blank line; each of ours has exactly one data line.
  for (qsizetype end = buffer_.indexOf("\n\n"); end >= 0; end = buffer_.indexOf("\n\n")) {
    const QByteArray block = buffer_.left(end);
    buffer_.remove(0, end + 2);
    for (const QByteArray& line : block.split('\n')) {
      if (!line.startsWith("data:")) continue;  // comments (keep-alives), ids
      v1::Event e;
      QString why;
      if (parse_json(line.mid(5).trimmed(), &e, &why)) emit event(e);
    }
  }
}

void EventStream::on_finished() {
  if (!reply_) return;
  QNetworkReply* r = reply_;
  reply_ = nullptr;
  AdminReply outcome = AdminClient::classify(r, client_->endpoint().url);
  r->deleteLater();
  if (outcome.ok()) {
    outcome.error = client_->endpoint().url.toString() + ": the node ended the event stream";
  }
  last_error_ = outcome.error;
  if (outcome.kind == AdminReply::Kind::kUnauthorized) retry_ms_ = kMaxRetryMs;
  set_state(
      State::kWaitingToRetry,
      QString("%1; reconnecting in %2 s").arg(last_error_).arg(retry_ms_ / 1000.0, 0, 'f', 1));
  retry_timer_.start(retry_ms_);
  retry_ms_ = std::min(retry_ms_ * 2, kMaxRetryMs);
}

void EventStream::set_state(State s, const QString& message) {
  state_ = s;
  emit state_changed(s, message);
}

}  // namespace itc::studio
