// PluginConfigForm: a form for one plugin's config section, generated from the plugin's
// config descriptor (itc.v1.PluginConfig): a row per field — a line edit for strings,
// bytes and 64-bit / unsigned integers, a spin box for int32, a check box for bools, a
// validated line edit for floating point, a combo box of short value names for enums —
// with the field's comment (or its name and type) as tooltip. An `optional` field has a
// "set" box: unticked means the plugin's default. Repeated, map and message fields show
// "edit in YAML". Initial values are the node's current section.
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>
#include <map>
#include <vector>

#include "config/config_fields.hpp"
#include "config/plugin_section.hpp"
#include "itc/v1/node.pb.h"

class QCheckBox;
class QFormLayout;
class QLabel;

namespace itc::studio {

class PluginConfigForm : public QWidget {
  Q_OBJECT

 public:
  explicit PluginConfigForm(QWidget* parent = nullptr);

  // Builds the form for `config`. On failure (no descriptor, the type is not in it, the
  // section does not parse) the form is empty, the reason is shown and returned false.
  bool set_config(const v1::PluginConfig& config, QString* error = nullptr);

  const QString& plugin() const { return plugin_; }
  const std::vector<ConfigField>& fields() const { return fields_; }
  // The editor of a field (QLineEdit, QSpinBox, QCheckBox, QComboBox), its "set" box
  // (nullptr for fields without presence), or the "edit in YAML" note.
  QWidget* editor(const std::string& field) const;
  QCheckBox* set_box(const std::string& field) const;

  // The form's values; on a value the node could not take, nullopt and *error names the
  // field and the reason.
  std::optional<FormValues> values(QString* error) const;

 signals:
  // "Apply to YAML" was clicked.
  void apply_requested();

 private:
  struct Row {
    QWidget* editor = nullptr;
    QCheckBox* set = nullptr;
  };
  QWidget* make_editor(const ConfigField& field, const std::optional<QString>& value);
  static QString editor_text(const ConfigField& field, const QWidget* editor);
  void clear();

  QString plugin_;
  std::vector<ConfigField> fields_;
  std::map<std::string, Row> rows_;
  QLabel* title_;
  QWidget* body_;
  QFormLayout* form_ = nullptr;
};

}  // namespace itc::studio
