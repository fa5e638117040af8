#include "connections/connection_dialog.hpp"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>
#include <memory>

#include "itc/v1/node.pb.h"
#include "node_api/node_api.hpp"

namespace itc::studio {

ConnectionDialog::ConnectionDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle("Connect to a node or network");
  name_ = new QLineEdit(this);
  name_->setPlaceholderText("e.g. factory hall 3");
  urls_ = new QPlainTextEdit(this);
  urls_->setPlaceholderText(
      "one node per line: URL [path of its token] [ca=CA FILE | pin=SHA-256 FINGERPRINT]\n"
      "http://127.0.0.1:8740 build/demo/data/validator-0/admin.token\n"
      "https://10.0.0.11:8740 /etc/itc/studio.token ca=/etc/itc/tls/site-ca.pem");
  token_ = new QLineEdit(this);
  token_->setEchoMode(QLineEdit::Password);
  token_->setPlaceholderText("token for lines without a token file");
  result_ = new QLabel(this);
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* form = new QFormLayout;
  form->addRow("&Name", name_);
  form->addRow("Node &URLs", urls_);
  form->addRow("&Token", token_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
  auto* test_button = buttons->addButton("T&est connection", QDialogButtonBox::ActionRole);
  connect(test_button, &QPushButton::clicked, this, &ConnectionDialog::test);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    QString why;
    if (connection(&why)) {
      accept();
    } else {
      result_->setText(why);
      result_->setStyleSheet("color: red");
    }
  });
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(result_);
  layout->addWidget(buttons);
  resize(640, 360);
}

std::optional<Connection> ConnectionDialog::connection(QString* error) const {
  Connection c;
  c.name = name_->text().trimmed();
  const QStringList lines = urls_->toPlainText().split('\n', Qt::SkipEmptyParts);
  int number = 0;
  for (const QString& raw : lines) {
    ++number;
    const QStringList parts = raw.trimmed().split(QRegularExpression("\\s+"), Qt::SkipEmptyParts);
    if (parts.isEmpty()) continue;
    NodeEndpoint n;
    n.url = QUrl(parts[0]);
    if (QString bad = AdminClient::check_url(n.url); !bad.isEmpty()) {
      if (error) *error = QString("line %1: %2").arg(number).arg(bad);
      return std::nullopt;
    }
    QString token_file;
    for (const QString& part : parts.mid(1)) {
      if (part.startsWith("ca=")) {
        n.ca_file = part.mid(3);
        if (!QFileInfo(n.ca_file).isReadable()) {
          if (error)
            *error = QString("line %1: cannot read the CA file %2").arg(number).arg(n.ca_file);
          return std::nullopt;
        }
      } else if (part.startsWith("pin=")) {
        n.pin = part.mid(4).toLatin1().toLower().replace(":", "");
        static const QRegularExpression hex64("^[0-9a-f]{64}$");
        if (!hex64.match(QString::fromLatin1(n.pin)).hasMatch()) {
          if (error) {
            *error =
                QString("line %1: pin= takes a SHA-256 fingerprint (64 hex digits, ':' allowed)")
                    .arg(number);
          }
          return std::nullopt;
        }
      } else if (token_file.isEmpty()) {
        token_file = part;
      } else {
        if (error) *error = QString("line %1: unexpected '%2'").arg(number).arg(part);
        return std::nullopt;
      }
    }
    if ((!n.ca_file.isEmpty() || !n.pin.isEmpty()) && n.url.scheme() != "https") {
      if (error) *error = QString("line %1: ca= and pin= need an https:// URL").arg(number);
      return std::nullopt;
    }
    if (!token_file.isEmpty()) {
      QString why;
      n.token = ConnectionStore::read_token_file(token_file, &why);
      if (n.token.isEmpty()) {
        if (error) *error = QString("line %1: %2").arg(number).arg(why);
        return std::nullopt;
      }
    } else {
      n.token = token_->text().trimmed().toUtf8();
      if (n.token.isEmpty()) {
        if (error)
          *error = QString("line %1: no token (give one, or the node's token file)").arg(number);
        return std::nullopt;
      }
    }
    c.nodes.push_back(n);
  }
  if (c.nodes.empty()) {
    if (error) *error = "give at least one node URL";
    return std::nullopt;
  }
  if (c.name.isEmpty()) c.name = c.nodes.front().url.authority();
  return c;
}

QString ConnectionDialog::test_result() const { return result_->text(); }

void ConnectionDialog::test() {
  QString why;
  auto c = connection(&why);
  if (!c) {
    result_->setText(why);
    result_->setStyleSheet("color: red");
    emit tested(false);
    return;
  }
  result_->setStyleSheet({});
  result_->setText("testing…");
  struct Tally {
    QStringList lines;
    int left = 0;
    bool all_ok = true;
  };
  auto tally = std::make_shared<Tally>();
  tally->left = static_cast<int>(c->nodes.size());
  tally->lines = QStringList(tally->left, QString());
  for (int i = 0; i < static_cast<int>(c->nodes.size()); ++i) {
    auto* client = new AdminClient(c->nodes[static_cast<std::size_t>(i)], this);
    client->set_timeout_ms(5000);
    NodeApi(client).node_info(this, [this, client, tally, i](const NodeAnswer<v1::NodeInfo>& info) {
      tally->all_ok = tally->all_ok && info.ok();
      tally->lines[i] = info.ok() ? QString("✔ %1: %2, itc-node %3%4")
                                        .arg(client->endpoint().url.toString(),
                                             QString::fromStdString(info->name()),
                                             QString::fromStdString(info->version()),
                                             info->developer_mode() ? " (developer mode)" : "")
                                  : QString("✘ %1").arg(info.error);
      client->deleteLater();
      if (--tally->left == 0) {
        result_->setText(tally->lines.join('\n'));
        result_->setStyleSheet(tally->all_ok ? "color: darkgreen" : "color: red");
        emit tested(tally->all_ok);
      }
    });
  }
}

}  // namespace itc::studio
