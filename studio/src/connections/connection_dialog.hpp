// ConnectionDialog: add or edit a connection — a name, one node URL per line (optionally
// followed by the path of that node's admin.token file) and a token for the lines that
// name no file. "Test" asks every node for GET /v1/node and says, per node, what happened.
// The token field never shows the token.
// Thread safety: GUI thread only.
#pragma once

#include <QDialog>
#include <optional>

#include "session/connection_store.hpp"

class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace itc::studio {

class ConnectionDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ConnectionDialog(QWidget* parent = nullptr);

  // The connection the fields describe; nullopt and *error saying which line is wrong.
  std::optional<Connection> connection(QString* error) const;
  // Asks each node for its NodeInfo; the per-node results show in the dialog.
  void test();
  QString test_result() const;

  QLineEdit* name_edit() const { return name_; }
  QPlainTextEdit* urls_edit() const { return urls_; }
  QLineEdit* token_edit() const { return token_; }

 signals:
  void tested(bool all_ok);

 private:
  QLineEdit* name_;
  QPlainTextEdit* urls_;
  QLineEdit* token_;
  QLabel* result_;
};

}  // namespace itc::studio
