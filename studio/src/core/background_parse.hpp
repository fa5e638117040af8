// parse_json_in_background: a node's JSON answer parsed into a protobuf message on a
// worker thread (Qt's global thread pool), so that a big answer — a page of 200 devices
// with their last readings — does not stall the GUI. The parsed message comes back on
// `context`'s thread by a queued signal (QFutureWatcher::finished); if `context` is
// destroyed first, nothing is delivered and the worker's result is dropped.
// Thread safety: call from `context`'s thread; `done` runs there. parse_json only reads
// the generated descriptor pool, which is safe from any thread.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>
#include <functional>

#include "core/proto_json.hpp"

namespace itc::studio {

template <typename Message>
struct ParsedJson {
  Message message;
  QString error;  // empty if `message` parsed
  bool ok() const { return error.isEmpty(); }
};

template <typename Message>
void parse_json_in_background(QByteArray json, QObject* context,
                              std::function<void(ParsedJson<Message>&&)> done) {
  auto* watcher = new QFutureWatcher<ParsedJson<Message>>(context);
  QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                   [watcher, done = std::move(done)] {
                     ParsedJson<Message> parsed = watcher->future().takeResult();
                     watcher->deleteLater();
                     done(std::move(parsed));
                   });
  watcher->setFuture(QtConcurrent::run([json = std::move(json)] {
    ParsedJson<Message> out;
    if (!parse_json(json, &out.message, &out.error) && out.error.isEmpty()) {
      out.error = "the node's answer does not parse";
    }
    return out;
  }));
}

}  // namespace itc::studio
