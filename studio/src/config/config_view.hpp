// ConfigView: the node's YAML config (GET /v1/config) in a highlighted editor; validation
// against the node (POST /v1/config/validate) shows each issue underlined at its line and
// column and in a list whose items jump to the spot; apply (POST /v1/config/apply) shows
// the diff against what was loaded and asks first.
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>

#include "core/network_session.hpp"
#include "itc/v1/node.pb.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;

namespace itc::studio {

class ConfigView : public QWidget {
  Q_OBJECT

 public:
  explicit ConfigView(NetworkSession* session, QWidget* parent = nullptr);

  QPlainTextEdit* editor() const { return editor_; }
  QListWidget* issue_list() const { return issues_; }
  QString status_text() const;
  const v1::ConfigReport& last_report() const { return report_; }
  int node() const;

  void reload();
  void validate();
  // The diff between the loaded config and the editor's text (empty if unchanged).
  QString pending_diff() const;
  // Applies the editor's text without asking (the Apply button asks first).
  void apply_now();
  // Puts the cursor at `line`:`column` (1-based) and shows it.
  void jump_to(int line, int column);

 signals:
  void loaded();
  void validated(bool ok);
  void applied(bool ok, const QString& message);

 private:
  void show_report(const v1::ConfigReport& report);
  void set_status(bool ok, const QString& text);
  void on_apply_clicked();

  NetworkSession* session_;
  QComboBox* node_box_;
  QPlainTextEdit* editor_;
  QListWidget* issues_;
  QLabel* status_;
  QString loaded_yaml_;
  QString file_;
  v1::ConfigReport report_;
};

}  // namespace itc::studio
