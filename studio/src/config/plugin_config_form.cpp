#include "config/plugin_config_form.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <limits>

namespace itc::studio {

using Kind = ConfigField::Kind;

PluginConfigForm::PluginConfigForm(QWidget* parent) : QWidget(parent) {
  title_ = new QLabel("Choose a plugin and open its form.", this);
  title_->setWordWrap(true);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  body_ = new QWidget(scroll);
  scroll->setWidget(body_);
  auto* apply = new QPushButton("Apply to &YAML", this);
  apply->setObjectName("applyFormToYaml");
  apply->setToolTip(
      "Write these values into the plugin's config: section of the YAML text; validate and "
      "apply it as usual");
  connect(apply, &QPushButton::clicked, this, &PluginConfigForm::apply_requested);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(title_);
  layout->addWidget(scroll, 1);
  layout->addWidget(apply);
}

void PluginConfigForm::clear() {
  rows_.clear();
  fields_.clear();
  plugin_.clear();
  delete body_->layout();
  for (QWidget* w : body_->findChildren<QWidget*>(Qt::FindDirectChildrenOnly)) delete w;
  form_ = new QFormLayout(body_);
}

bool PluginConfigForm::set_config(const v1::PluginConfig& config, QString* error) {
  clear();
  const QString name = QString::fromStdString(config.name());
  QString why;
  std::optional<std::vector<ConfigField>> fields =
      describe_config(config.descriptor_set(), config.type_name(), &why);
  YAML::Node section;
  if (fields) {
    try {
      section = YAML::Load(config.yaml());
    } catch (const YAML::Exception& e) {
      why = "the node's config section does not parse: " + QString::fromStdString(e.msg);
      fields.reset();
    }
  }
  if (!fields) {
    title_->setText(QString("No form for %1: %2").arg(name, why));
    if (error) *error = why;
    return false;
  }
  plugin_ = name;
  fields_ = std::move(*fields);
  title_->setText(QString("<b>%1</b> (%2)").arg(name, QString::fromStdString(config.type_name())));
  for (const ConfigField& f : fields_) {
    const QString label = QString::fromStdString(f.name);
    QString tip = f.help.isEmpty() ? QString("%1 (%2)").arg(label, f.type_label) : f.help;
    if (f.range) tip += QString("\nValid: %1").arg(QString::fromStdString(f.range->text()));
    if (!f.in_form()) {
      auto* note = new QLabel(QString("%1 — edit in YAML").arg(f.type_label), body_);
      note->setEnabled(false);
      note->setToolTip(tip);
      form_->addRow(label, note);
      rows_[f.name] = {note, nullptr};
      continue;
    }
    const std::optional<QString> value = value_from_yaml(f, section);
    QWidget* editor = make_editor(f, value);
    editor->setToolTip(tip);
    Row row{editor, nullptr};
    if (!f.has_presence) {
      form_->addRow(label, editor);
    } else {
      row.set = new QCheckBox("set", body_);
      row.set->setToolTip("Unticked: the plugin's default");
      row.set->setChecked(value.has_value());
      editor->setEnabled(value.has_value());
      connect(row.set, &QCheckBox::toggled, editor, &QWidget::setEnabled);
      auto* line = new QHBoxLayout;
      line->addWidget(row.set);
      line->addWidget(editor, 1);
      form_->addRow(label, line);
    }
    rows_[f.name] = row;
  }
  return true;
}

QWidget* PluginConfigForm::make_editor(const ConfigField& f, const std::optional<QString>& value) {
  const QString text = value.value_or(QString());
  switch (f.kind) {
    case Kind::kBool: {
      auto* box = new QCheckBox(body_);
      box->setChecked(text == "true");
      return box;
    }
    case Kind::kEnum: {
      auto* box = new QComboBox(body_);
      box->addItems(f.enum_values);
      // A value the form does not know is kept visible rather than silently replaced.
      if (!text.isEmpty() && !f.enum_values.contains(text)) box->addItem(text);
      box->setCurrentIndex(text.isEmpty() ? 0 : box->findText(text));
      return box;
    }
    case Kind::kInt32: {
      auto* spin = new QSpinBox(body_);
      spin->setRange(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
      spin->setValue(text.toInt());
      return spin;
    }
    case Kind::kInt64:
    case Kind::kUInt32:
    case Kind::kUInt64: {
      auto* edit = new QLineEdit(text, body_);
      const bool is_signed = f.kind == Kind::kInt64;
      edit->setValidator(new QRegularExpressionValidator(
          QRegularExpression(is_signed ? R"(-?\d{0,19})" : R"(\d{0,20})"), edit));
      QString hint = f.has_presence ? "default" : "0";
      if (f.range) hint += QString(" (%1)").arg(QString::fromStdString(f.range->text()));
      edit->setPlaceholderText(hint);
      return edit;
    }
    case Kind::kDouble:
    case Kind::kFloat: {
      auto* edit = new QLineEdit(text, body_);
      auto* v = new QDoubleValidator(edit);
      v->setLocale(QLocale::c());
      v->setNotation(QDoubleValidator::ScientificNotation);
      edit->setValidator(v);
      return edit;
    }
    default:
      return new QLineEdit(text, body_);
  }
}

QWidget* PluginConfigForm::editor(const std::string& field) const {
  auto it = rows_.find(field);
  return it == rows_.end() ? nullptr : it->second.editor;
}

QCheckBox* PluginConfigForm::set_box(const std::string& field) const {
  auto it = rows_.find(field);
  return it == rows_.end() ? nullptr : it->second.set;
}

QString PluginConfigForm::editor_text(const ConfigField& f, const QWidget* editor) {
  if (const auto* box = qobject_cast<const QCheckBox*>(editor)) {
    return box->isChecked() ? "true" : "false";
  }
  if (const auto* combo = qobject_cast<const QComboBox*>(editor)) return combo->currentText();
  if (const auto* spin = qobject_cast<const QSpinBox*>(editor)) {
    return QString::number(spin->value());
  }
  const auto* edit = qobject_cast<const QLineEdit*>(editor);
  const QString text = edit ? edit->text() : QString();
  const bool number = f.kind != Kind::kString && f.kind != Kind::kBytes;
  return number ? text.trimmed() : text;
}

std::optional<FormValues> PluginConfigForm::values(QString* error) const {
  if (plugin_.isEmpty()) {
    if (error) *error = "no plugin's form is open";
    return std::nullopt;
  }
  FormValues out;
  QStringList problems;
  for (const ConfigField& f : fields_) {
    if (!f.in_form()) continue;
    const Row& row = rows_.at(f.name);
    if (row.set && !row.set->isChecked()) {
      out[f.name] = std::nullopt;
      continue;
    }
    QString text = editor_text(f, row.editor);
    // An empty number box without presence means the zero value.
    if (text.isEmpty() && !f.has_presence && f.kind != Kind::kString && f.kind != Kind::kBytes) {
      text = f.zero_value();
    }
    if (QString why = check_value(f, text); !why.isEmpty()) problems << why;
    out[f.name] = text;
  }
  if (!problems.isEmpty()) {
    if (error) *error = problems.join("; ");
    return std::nullopt;
  }
  return out;
}

}  // namespace itc::studio
