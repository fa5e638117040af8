#include "node_api/node_api.hpp"

#include <QFutureWatcher>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>
#include <utility>

#include "node_api/proto_json.hpp"

namespace itc::studio {

namespace {

QString path_segment(const QString& s) { return QString::fromLatin1(QUrl::toPercentEncoding(s)); }

template <typename Message>
NodeAnswer<Message> failed(const AdminReply& r, QString error) {
  NodeAnswer<Message> a;
  a.kind = r.kind;
  a.error = std::move(error);
  return a;
}

// The rule for most endpoints: a 2xx answer holds the message; anything else is the
// reply's error.
template <typename Message>
NodeAnswer<Message> answer_from(const AdminReply& r) {
  if (!r.ok()) return failed<Message>(r, r.error);
  NodeAnswer<Message> a;
  a.kind = r.kind;
  Message m;
  if (parse_json(r.body, &m, &a.error)) a.message = std::move(m);
  return a;
}

// For endpoints whose refusals carry the message too (a 4xx/5xx with a body saying why):
// only an unreachable node or a refused token is an error without a message.
template <typename Message>
NodeAnswer<Message> answer_even_if_refused(const AdminReply& r) {
  if (r.kind == AdminReply::Kind::kUnreachable || r.kind == AdminReply::Kind::kUnauthorized) {
    return failed<Message>(r, r.error);
  }
  NodeAnswer<Message> a;
  a.kind = r.kind;
  Message m;
  if (parse_json(r.body, &m, &a.error)) {
    a.message = std::move(m);
  } else if (a.error.isEmpty()) {
    a.error = r.error;
  }
  return a;
}

template <typename Message>
AdminClient::Callback deliver(NodeApi::Done<Message> done) {
  return [done = std::move(done)](const AdminReply& r) { done(answer_from<Message>(r)); };
}

// Parses a 2xx answer on a worker thread; the answer comes back on `context`'s thread by
// a queued signal (QFutureWatcher::finished), or not at all if `context` goes first.
// parse_json only reads the generated descriptor pool, which is safe from any thread.
template <typename Message>
void deliver_from_worker(const AdminReply& r, QObject* context, NodeApi::Done<Message> done) {
  auto* watcher = new QFutureWatcher<NodeAnswer<Message>>(context);
  QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                   [watcher, done = std::move(done)] {
                     const NodeAnswer<Message> answer = watcher->future().takeResult();
                     watcher->deleteLater();
                     done(answer);
                   });
  watcher->setFuture(QtConcurrent::run([r] { return answer_from<Message>(r); }));
}

}  // namespace

QString DeviceFilter::query(int offset, int limit) const {
  QString q = QString("/v1/devices?offset=%1&limit=%2").arg(offset).arg(limit);
  if (!state.isEmpty()) q += "&state=" + state;
  if (!text.isEmpty()) q += "&q=" + path_segment(text);
  return q;
}

void NodeApi::node_info(QObject* context, Done<v1::NodeInfo> done) const {
  client_->get("/v1/node", context, deliver(std::move(done)));
}

void NodeApi::config(QObject* context, Done<v1::ConfigText> done) const {
  client_->get("/v1/config", context, deliver(std::move(done)));
}

void NodeApi::validate_config(const QString& yaml, QObject* context,
                              Done<v1::ConfigReport> done) const {
  client_->post("/v1/config/validate", yaml.toUtf8(), context, deliver(std::move(done)),
                "application/yaml");
}

void NodeApi::apply_config(const QString& yaml, QObject* context,
                           Done<v1::ApplyResult> done) const {
  client_->post(
      "/v1/config/apply", yaml.toUtf8(), context,
      [done = std::move(done)](const AdminReply& r) {
        done(answer_even_if_refused<v1::ApplyResult>(r));
      },
      "application/yaml");
}

void NodeApi::plugins(QObject* context, Done<v1::PluginList> done) const {
  client_->get("/v1/plugins", context, deliver(std::move(done)));
}

void NodeApi::plugin_config(const QString& name, QObject* context,
                            Done<v1::PluginConfig> done) const {
  client_->get("/v1/plugins/" + path_segment(name) + "/config", context, deliver(std::move(done)));
}

void NodeApi::load_plugin(const v1::LoadRequest& request, QObject* context,
                          Done<v1::PluginStatus> done) const {
  client_->post_message("/v1/plugins/load", request, context, deliver(std::move(done)));
}

void NodeApi::swap_plugin(const QString& name, const v1::SwapRequest& request, QObject* context,
                          Done<v1::PluginStatus> done) const {
  client_->post_message("/v1/plugins/" + path_segment(name) + "/swap", request, context,
                        deliver(std::move(done)));
}

void NodeApi::unload_plugin(const QString& name, QObject* context,
                            Done<v1::PluginStatus> done) const {
  client_->post("/v1/plugins/" + path_segment(name) + "/unload", "{}", context,
                deliver(std::move(done)));
}

void NodeApi::ledger_head(QObject* context, Done<v1::LedgerHead> done) const {
  client_->get("/v1/ledger/head", context, deliver(std::move(done)));
}

void NodeApi::block(std::uint64_t height, QObject* context, Done<v1::Block> done) const {
  client_->get(QString("/v1/ledger/blocks/%1").arg(height), context, deliver(std::move(done)));
}

void NodeApi::device_page(const DeviceFilter& filter, int offset, int limit, Parsing where,
                          std::function<bool()> wanted, QObject* context,
                          Done<v1::DeviceList> done) const {
  client_->get(filter.query(offset, limit), context,
               [where, context, wanted = std::move(wanted),
                done = std::move(done)](const AdminReply& r) mutable {
                 if (wanted && !wanted()) return;
                 if (r.ok() && where == Parsing::kWorker) {
                   deliver_from_worker<v1::DeviceList>(r, context, std::move(done));
                 } else {
                   done(answer_from<v1::DeviceList>(r));
                 }
               });
}

void NodeApi::device(const QString& id, QObject* context, Done<v1::DeviceStatus> done) const {
  client_->get("/v1/devices/" + path_segment(id), context, deliver(std::move(done)));
}

void NodeApi::send_command(const v1::Command& command, QObject* context,
                           Done<v1::CommandResult> done) const {
  client_->post_message(
      "/v1/commands", command, context, [done = std::move(done)](const AdminReply& r) {
        NodeAnswer<v1::CommandResult> a = answer_even_if_refused<v1::CommandResult>(r);
        if (!a.ok() || a->device_id().empty()) a = failed<v1::CommandResult>(r, r.error);
        done(a);
      });
}

}  // namespace itc::studio
