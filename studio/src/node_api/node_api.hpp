// NodeApi: one node's admin API as typed calls. Each endpoint Studio uses is one method
// that sends the request and hands back the node's answer parsed into its itc.v1 message,
// or a sentence saying why not — a wrong URL, a refused token, a node that went away, the
// node's own error message, an answer that does not parse — worded the same for every
// view. Views call these instead of fetching and parsing JSON themselves.
// Thread safety: GUI thread only; `done` runs on `context`'s thread, and not at all if
// `context` is destroyed first. Ownership: a NodeApi is a cheap handle on an AdminClient
// it does not own (the session's, or a connection test's), which must outlive the call.
#pragma once

#include <QObject>
#include <QString>
#include <cstdint>
#include <functional>
#include <optional>

#include "itc/v1/device.pb.h"
#include "itc/v1/node.pb.h"
#include "node_api/admin_client.hpp"

namespace itc::studio {

// What a call ended with: the node's message, or a sentence saying why not.
template <typename Message>
struct NodeAnswer {
  std::optional<Message> message;  // set if the call succeeded
  QString error;                   // otherwise: why not, for the user
  // How the HTTP exchange ended: kOk with no message means the node accepted the request
  // but its answer did not parse.
  AdminReply::Kind kind = AdminReply::Kind::kUnreachable;

  bool ok() const { return message.has_value(); }
  const Message& operator*() const { return *message; }
  const Message* operator->() const { return &*message; }
};

// The parameters of GET /v1/devices: a page of the fleet filtered by state and id.
struct DeviceFilter {
  QString state;  // "", "online", "stale", "offline", "unknown", "fault"
  QString text;   // substring of the device id
  // The path and query of GET /v1/devices for one page.
  QString query(int offset, int limit) const;
};

class NodeApi {
 public:
  template <typename Message>
  using Done = std::function<void(const NodeAnswer<Message>&)>;
  // Where a big answer (a device page) is parsed: on a worker thread of Qt's global pool,
  // delivered by a queued signal, or on the GUI thread.
  enum class Parsing { kWorker, kGuiThread };

  explicit NodeApi(AdminClient* client) : client_(client) {}
  AdminClient* client() const { return client_; }

  // GET /v1/node.
  void node_info(QObject* context, Done<v1::NodeInfo> done) const;

  // GET /v1/config: the node's YAML and its file name.
  void config(QObject* context, Done<v1::ConfigText> done) const;
  // POST /v1/config/validate with `yaml`.
  void validate_config(const QString& yaml, QObject* context, Done<v1::ConfigReport> done) const;
  // POST /v1/config/apply with `yaml`. A refusal (409, 422) carries an ApplyResult too and
  // is delivered as one; only an unreachable node or a refused token is an error.
  void apply_config(const QString& yaml, QObject* context, Done<v1::ApplyResult> done) const;

  // GET /v1/plugins.
  void plugins(QObject* context, Done<v1::PluginList> done) const;
  // GET /v1/plugins/{name}/config: the plugin's config type and the descriptors defining it.
  void plugin_config(const QString& name, QObject* context, Done<v1::PluginConfig> done) const;
  // POST /v1/plugins/load, /v1/plugins/{name}/swap, /v1/plugins/{name}/unload. The status
  // of an unloaded plugin is empty (the node no longer lists it).
  void load_plugin(const v1::LoadRequest& request, QObject* context,
                   Done<v1::PluginStatus> done) const;
  void swap_plugin(const QString& name, const v1::SwapRequest& request, QObject* context,
                   Done<v1::PluginStatus> done) const;
  void unload_plugin(const QString& name, QObject* context, Done<v1::PluginStatus> done) const;

  // GET /v1/ledger/head.
  void ledger_head(QObject* context, Done<v1::LedgerHead> done) const;
  // GET /v1/ledger/blocks/{height}.
  void block(std::uint64_t height, QObject* context, Done<v1::Block> done) const;

  // GET /v1/devices: one page of `filter`, parsed `where`. `wanted` is asked when the
  // answer arrives; if it says no (the view moved on), the page is not parsed and `done`
  // is not called.
  void device_page(const DeviceFilter& filter, int offset, int limit, Parsing where,
                   std::function<bool()> wanted, QObject* context, Done<v1::DeviceList> done) const;
  // GET /v1/devices/{id}.
  void device(const QString& id, QObject* context, Done<v1::DeviceStatus> done) const;
  // POST /v1/commands. A refused command (403) carries a CommandResult saying why and is
  // delivered as one; anything else that is not a CommandResult for a device is an error.
  void send_command(const v1::Command& command, QObject* context,
                    Done<v1::CommandResult> done) const;

 private:
  AdminClient* client_;
};

}  // namespace itc::studio
