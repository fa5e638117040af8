#include "config/config_view.hpp"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTextBlock>
#include <QVBoxLayout>

#include "app/view_bar.hpp"
#include "config/line_diff.hpp"
#include "config/plugin_config_form.hpp"
#include "config/plugin_section.hpp"
#include "config/yaml_highlighter.hpp"

namespace itc::studio {

ConfigView::ConfigView(NetworkSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
  node_box_ = new QComboBox(this);
  for (int i = 0; i < session->node_count(); ++i) node_box_->addItem(session->node_name(i));
  connect(session, &NetworkSession::node_changed, this, [this](int i) {
    if (i < node_box_->count()) node_box_->setItemText(i, session_->node_name(i));
  });
  connect(node_box_, &QComboBox::currentIndexChanged, this, [this] { reload(); });

  editor_ = new QPlainTextEdit(this);
  editor_->setObjectName("configEditor");
  editor_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  editor_->setLineWrapMode(QPlainTextEdit::NoWrap);
  new YamlHighlighter(editor_->document());

  issues_ = new QListWidget(this);
  issues_->setObjectName("configIssues");
  connect(issues_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    jump_to(item->data(Qt::UserRole).toInt(), item->data(Qt::UserRole + 1).toInt());
  });
  connect(issues_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    jump_to(item->data(Qt::UserRole).toInt(), item->data(Qt::UserRole + 1).toInt());
  });

  status_ = new QLabel(this);
  status_->setWordWrap(true);
  QHBoxLayout* bar = node_bar(this, node_box_);
  auto button = [&](const QString& text, const QString& tip, auto slot) {
    add_button(bar, this, text, tip, slot);
  };
  button("Re&load", "Fetch the node's config again (discards edits)", [this] { reload(); });
  button("&Validate", "Check the text against the node (Ctrl+Shift+V)", [this] { validate(); });
  button("&Apply…", "Show the diff, then apply it on the node", [this] { on_apply_clicked(); });
  bar->addStretch();

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(editor_);
  split->addWidget(issues_);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);

  // The per-plugin form, beside the text.
  plugin_box_ = new QComboBox(this);
  plugin_box_->setObjectName("formPlugin");
  plugin_box_->setToolTip("The plugins of this config (from the YAML text)");
  auto* open = new QPushButton("&Form", this);
  open->setToolTip("Fetch the plugin's config descriptor from the node and show a form for it");
  connect(open, &QPushButton::clicked, this, [this] { open_form(plugin_box_->currentText()); });
  form_ = new PluginConfigForm(this);
  connect(form_, &PluginConfigForm::apply_requested, this, [this] { apply_form(); });
  auto* form_bar = new QHBoxLayout;
  form_bar->addWidget(new QLabel("Plugin:", this));
  form_bar->addWidget(plugin_box_, 1);
  form_bar->addWidget(open);
  auto* form_panel = new QWidget(this);
  auto* form_layout = new QVBoxLayout(form_panel);
  form_layout->setContentsMargins(0, 0, 0, 0);
  form_layout->addLayout(form_bar);
  form_layout->addWidget(form_, 1);
  form_split_ = new QSplitter(Qt::Horizontal, this);
  form_split_->addWidget(split);
  form_split_->addWidget(form_panel);
  form_split_->setStretchFactor(0, 3);
  form_split_->setStretchFactor(1, 1);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(form_split_, 1);
  layout->addWidget(status_);
}

int ConfigView::node() const { return std::max(0, node_box_->currentIndex()); }

QString ConfigView::status_text() const { return status_->text(); }

void ConfigView::set_status(bool ok, const QString& text) {
  status_->setText(text);
  status_->setStyleSheet(ok ? "color: darkgreen" : "color: red");
}

void ConfigView::reload() {
  if (session_->node_count() == 0) return;
  session_->api(node()).config(this, [this](const NodeAnswer<v1::ConfigText>& text) {
    if (!text.ok()) {
      set_status(false, "cannot load the config: " + text.error);
      return;
    }
    file_ = QString::fromStdString(text->file());
    loaded_yaml_ = QString::fromStdString(text->yaml());
    editor_->setPlainText(loaded_yaml_);
    issues_->clear();
    editor_->setExtraSelections({});
    refresh_plugin_names();
    set_status(true, "loaded " + file_);
    emit loaded();
  });
}

void ConfigView::validate() {
  session_->api(node()).validate_config(editor_->toPlainText(), this,
                                        [this](const NodeAnswer<v1::ConfigReport>& report) {
                                          if (!report.ok()) {
                                            set_status(false, "validation failed: " + report.error);
                                            emit validated(false);
                                            return;
                                          }
                                          show_report(*report);
                                          emit validated(report->ok());
                                        });
}

void ConfigView::show_report(const v1::ConfigReport& report) {
  report_ = report;
  issues_->clear();
  QList<QTextEdit::ExtraSelection> marks;
  for (const v1::ConfigIssue& issue : report.issues()) {
    const int line = static_cast<int>(issue.line());
    const int column = static_cast<int>(issue.column());
    auto* item = new QListWidgetItem(
        QString("line %1, column %2: %3: %4")
            .arg(line)
            .arg(column)
            .arg(QString::fromStdString(issue.field()), QString::fromStdString(issue.message())),
        issues_);
    item->setData(Qt::UserRole, line);
    item->setData(Qt::UserRole + 1, column);
    item->setForeground(Qt::red);
    const QTextBlock block = editor_->document()->findBlockByNumber(line - 1);
    if (!block.isValid()) continue;
    QTextEdit::ExtraSelection mark;
    mark.cursor = QTextCursor(block);
    mark.cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor,
                             std::clamp(column - 1, 0, std::max(0, block.length() - 1)));
    mark.cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
    if (!mark.cursor.hasSelection()) mark.cursor.select(QTextCursor::LineUnderCursor);
    mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    mark.format.setUnderlineColor(Qt::red);
    mark.format.setToolTip(QString::fromStdString(issue.message()));
    marks << mark;
  }
  editor_->setExtraSelections(marks);
  if (report.ok()) {
    set_status(true, "valid: the node accepts this config");
  } else {
    set_status(false, QString("%1 issue(s); click one to go to it").arg(report.issues_size()));
    if (report.issues_size() > 0) {
      jump_to(static_cast<int>(report.issues(0).line()),
              static_cast<int>(report.issues(0).column()));
    }
  }
}

void ConfigView::jump_to(int line, int column) {
  const QTextBlock block = editor_->document()->findBlockByNumber(std::max(0, line - 1));
  if (!block.isValid()) return;
  QTextCursor c(block);
  c.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor,
                 std::clamp(column - 1, 0, std::max(0, block.length() - 1)));
  editor_->setTextCursor(c);
  editor_->centerCursor();
  editor_->setFocus();
}

void ConfigView::refresh_plugin_names() {
  const QString current = plugin_box_->currentText();
  plugin_box_->clear();
  plugin_box_->addItems(plugin_names(editor_->toPlainText()));
  if (const int i = plugin_box_->findText(current); i >= 0) plugin_box_->setCurrentIndex(i);
}

void ConfigView::open_form(const QString& name) {
  if (session_->node_count() == 0 || name.isEmpty()) return;
  session_->api(node()).plugin_config(
      name, this, [this, name](const NodeAnswer<v1::PluginConfig>& config) {
        if (!config.ok()) {
          set_status(false, QString("cannot open the form of %1: %2").arg(name, config.error));
          emit form_opened(false);
          return;
        }
        QString why;
        const bool ok = form_->set_config(*config, &why);
        set_status(ok, ok ? QString("%1: change the values, then Apply to YAML").arg(name)
                          : QString("no form for %1: %2").arg(name, why));
        emit form_opened(ok);
      });
}

bool ConfigView::apply_form() {
  const QString plugin = form_->plugin();
  QString why;
  const std::optional<FormValues> values = form_->values(&why);
  QString text = editor_->toPlainText();
  const QString before = text;
  std::optional<YAML::Node> base;
  if (values) base = plugin_section(text, plugin, &why);
  if (!values || !base ||
      !replace_plugin_config(&text, plugin, config_flow_mapping(form_->fields(), *values, *base),
                             &why)) {
    set_status(false, QString("not written to the YAML: %1").arg(why));
    return false;
  }
  // One edit of the document, so that Undo takes it back.
  QTextCursor all(editor_->document());
  all.select(QTextCursor::Document);
  all.insertText(text);
  const std::vector<DiffLine> diff = diff_lines(before, text);
  for (const DiffLine& d : diff) {
    if (d.kind == DiffLine::Kind::kAdded) {
      jump_to(d.new_line, 1);
      break;
    }
  }
  set_status(true, QString("%1's config written to the YAML; Validate, then Apply").arg(plugin));
  return true;
}

QString ConfigView::pending_diff() const {
  return unified_diff(diff_lines(loaded_yaml_, editor_->toPlainText()));
}

void ConfigView::apply_now() {
  const QString text = editor_->toPlainText();
  // A refused apply (409/422) carries an ApplyResult too.
  session_->api(node()).apply_config(
      text, this, [this, text](const NodeAnswer<v1::ApplyResult>& answer) {
        if (!answer.ok()) {
          set_status(false, "apply failed: " + answer.error);
          emit applied(false, status_->text());
          return;
        }
        const v1::ApplyResult& result = *answer;
        if (!result.report().ok()) show_report(result.report());
        QStringList actions;
        for (const auto& a : result.actions()) actions << QString::fromStdString(a);
        QString msg = result.ok() ? "applied" : "not applied";
        if (!actions.isEmpty()) msg += ": " + actions.join("; ");
        if (!result.error().empty()) msg += "; error: " + QString::fromStdString(result.error());
        if (result.ok()) loaded_yaml_ = text;
        set_status(result.ok(), msg);
        emit applied(result.ok(), msg);
      });
}

void ConfigView::on_apply_clicked() {
  const QString diff = pending_diff();
  QDialog dialog(this);
  dialog.setWindowTitle("Apply config to " + session_->node_name(node()));
  auto* text = new QPlainTextEdit(&dialog);
  text->setReadOnly(true);
  text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  text->setPlainText(diff.isEmpty() ? "(no changes to the loaded config)" : diff);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, &dialog);
  buttons->addButton("Apply", QDialogButtonBox::AcceptRole);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(&dialog);
  layout->addWidget(new QLabel("These changes will be applied (changed plugins are hot-swapped):"));
  layout->addWidget(text);
  layout->addWidget(buttons);
  dialog.resize(700, 450);
  if (dialog.exec() == QDialog::Accepted) apply_now();
}

}  // namespace itc::studio
