// ConfigView: the node's YAML config (GET /v1/config) in a highlighted editor; validation
// against the node (POST /v1/config/validate) shows each issue underlined at its line and
// column and in a list whose items jump to the spot; apply (POST /v1/config/apply) shows
// the diff against what was loaded and asks first. A per-plugin form (GET
// /v1/plugins/{name}/config) edits a plugin's section; "Apply to YAML" writes it into the
// text, which is then validated and applied as usual.
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>

#include "itc/v1/node.pb.h"
#include "session/network_session.hpp"

class QComboBox;
class QSplitter;
class QLabel;
class QListWidget;
class QPlainTextEdit;

namespace itc::studio {

class PluginConfigForm;

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

  // Fetches plugin `name`'s config descriptor from the node and shows its form.
  void open_form(const QString& name);
  PluginConfigForm* form() const { return form_; }
  QComboBox* plugin_box() const { return plugin_box_; }
  // Writes the form's values into the plugin's section of the editor's text (undoable);
  // false, with the reason in the status line, if a value or the text does not allow it.
  bool apply_form();

 signals:
  void loaded();
  void validated(bool ok);
  void applied(bool ok, const QString& message);
  void form_opened(bool ok);

 private:
  void show_report(const v1::ConfigReport& report);
  void set_status(bool ok, const QString& text);
  void on_apply_clicked();
  void refresh_plugin_names();

  NetworkSession* session_;
  QComboBox* node_box_;
  QPlainTextEdit* editor_;
  QListWidget* issues_;
  QLabel* status_;
  QComboBox* plugin_box_;
  PluginConfigForm* form_;
  QSplitter* form_split_;
  QString loaded_yaml_;
  QString file_;
  v1::ConfigReport report_;
};

}  // namespace itc::studio
