#include "session/connection_store.hpp"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include "itc/file_io.hpp"

namespace itc::studio {

namespace {
constexpr const char* kGroup = "connections";
}

ConnectionStore::ConnectionStore()
    : owned_settings_(std::make_unique<QSettings>()),
      settings_(owned_settings_.get()),
      token_dir_(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + "/tokens") {}

ConnectionStore::ConnectionStore(QSettings* settings, QString token_dir)
    : settings_(settings), token_dir_(std::move(token_dir)) {}

QStringList ConnectionStore::names() const {
  settings_->beginGroup(kGroup);
  QStringList out;
  for (const QString& key : settings_->childGroups()) {
    out << settings_->value(key + "/name").toString();
  }
  settings_->endGroup();
  out.sort(Qt::CaseInsensitive);
  return out;
}

// Settings keys and file names come from a hash of the name: any name is safe to use.
static QString key_of(const QString& name) {
  return QString::fromLatin1(
      QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
}

QString ConnectionStore::token_file(const QString& name) const {
  return token_dir_ + "/" + key_of(name) + ".json";
}

std::optional<Connection> ConnectionStore::load(const QString& name, QString* error) const {
  const QString key = QString(kGroup) + "/" + key_of(name);
  if (!settings_->contains(key + "/name")) {
    if (error) *error = QString("no saved connection named '%1'").arg(name);
    return std::nullopt;
  }
  Connection c;
  c.name = settings_->value(key + "/name").toString();
  const QStringList urls = settings_->value(key + "/urls").toStringList();
  QFile f(token_file(name));
  QJsonObject tokens;
  if (f.open(QIODevice::ReadOnly)) {
    tokens = QJsonDocument::fromJson(f.readAll()).object();
  } else if (error) {
    *error = QString("the token file of '%1' (%2) cannot be read; enter the token again")
                 .arg(name, f.fileName());
  }
  const QStringList cas = settings_->value(key + "/ca_files").toStringList();
  const QStringList pins = settings_->value(key + "/pins").toStringList();
  for (qsizetype i = 0; i < urls.size(); ++i) {
    c.nodes.push_back({QUrl(urls[i]), tokens.value(urls[i]).toString().toUtf8(), cas.value(i),
                       pins.value(i).toLatin1()});
  }
  return c;
}

bool ConnectionStore::save(const Connection& c, QString* error) {
  if (!QDir().mkpath(token_dir_)) {
    if (error) *error = QString("cannot create %1").arg(token_dir_);
    return false;
  }
  QFile::setPermissions(token_dir_, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
  QJsonObject tokens;
  QStringList urls, cas, pins;  // how each node's certificate is checked: not secret
  for (const NodeEndpoint& n : c.nodes) {
    urls << n.url.toString();
    cas << n.ca_file;
    pins << QString::fromLatin1(n.pin);
    tokens.insert(n.url.toString(), QString::fromUtf8(n.token));
  }
  const QByteArray data = QJsonDocument(tokens).toJson(QJsonDocument::Compact);
  Status st = write_file_atomically(token_file(c.name).toStdString(), data.toStdString(), 0600);
  if (!st.ok()) {
    if (error) *error = QString::fromStdString(st.message());
    return false;
  }
  const QString key = QString(kGroup) + "/" + key_of(c.name);
  settings_->setValue(key + "/name", c.name);
  settings_->setValue(key + "/urls", urls);
  settings_->setValue(key + "/ca_files", cas);
  settings_->setValue(key + "/pins", pins);
  settings_->sync();
  return true;
}

void ConnectionStore::remove(const QString& name) {
  settings_->remove(QString(kGroup) + "/" + key_of(name));
  QFile::remove(token_file(name));
}

QByteArray ConnectionStore::read_token_file(const QString& path, QString* error) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    if (error) *error = QString("cannot read the token file %1: %2").arg(path, f.errorString());
    return {};
  }
  QByteArray t = f.read(4096).trimmed();
  if (t.isEmpty() && error) *error = QString("the token file %1 is empty").arg(path);
  return t;
}

}  // namespace itc::studio
