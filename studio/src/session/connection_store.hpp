// ConnectionStore: the nodes and networks Studio remembers. Names, URLs and how each
// node's certificate is checked (CA file, pinned fingerprint) live in
// QSettings; each connection's tokens live in their own file, mode 0600, under
// QStandardPaths::AppConfigLocation/tokens/ — never in the settings file, never logged.
// Thread safety: GUI thread only.
#pragma once

#include <QSettings>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

#include "node_api/admin_client.hpp"

namespace itc::studio {

// One node, or a whole network of nodes, under a name.
struct Connection {
  QString name;
  std::vector<NodeEndpoint> nodes;
};

class ConnectionStore {
 public:
  // `settings` and `token_dir` default to the app's; tests pass their own.
  ConnectionStore();
  ConnectionStore(QSettings* settings, QString token_dir);

  QStringList names() const;
  // The connection with its tokens; nullopt and *error set if it or its token file is gone.
  std::optional<Connection> load(const QString& name, QString* error = nullptr) const;
  // Saves (replaces) `c`. False and *error naming the file if the token file cannot be written.
  bool save(const Connection& c, QString* error = nullptr);
  void remove(const QString& name);

  QString token_file(const QString& name) const;

  // Reads a token from an admin.token file (trimmed); empty and *error if unreadable.
  static QByteArray read_token_file(const QString& path, QString* error);

 private:
  std::unique_ptr<QSettings> owned_settings_;
  QSettings* settings_;
  QString token_dir_;
};

}  // namespace itc::studio
