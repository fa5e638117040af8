#include "devices/owner_command.hpp"

#include <QDateTime>
#include <QRegularExpression>

#include "itc/command_signing.hpp"

namespace itc::studio {

std::optional<std::vector<v1::ScheduleEntry>> parse_schedule(const QString& text, QString* error) {
  static const QRegularExpression item(
      R"(^\s*(\d{1,2}):(\d{2})\s+(on|off|dim)(?:\s+(\d{1,3}))?\s*$)",
      QRegularExpression::CaseInsensitiveOption);
  std::vector<v1::ScheduleEntry> out;
  for (const QString& part : text.split(';', Qt::SkipEmptyParts)) {
    if (part.trimmed().isEmpty()) continue;
    const auto m = item.match(part);
    const int h = m.captured(1).toInt(), min = m.captured(2).toInt();
    const QString verb = m.captured(3).toLower();
    const bool has_level = !m.captured(4).isEmpty();
    const int level = m.captured(4).toInt();
    QString bad;
    if (!m.hasMatch())
      bad = "expected 'HH:MM on', 'HH:MM off' or 'HH:MM dim LEVEL'";
    else if (h > 23 || min > 59)
      bad = "the time must be 00:00..23:59";
    else if (verb == "dim" && (!has_level || level > 100))
      bad = "dim needs a level 0..100";
    else if (verb != "dim" && has_level)
      bad = "only dim takes a level";
    if (!bad.isEmpty()) {
      if (error) *error = QString("schedule item '%1': %2").arg(part.trimmed(), bad);
      return std::nullopt;
    }
    v1::ScheduleEntry e;
    e.set_minute_of_day(static_cast<std::uint32_t>(h * 60 + min));
    e.set_action(verb == "on" ? v1::ACTION_ON : verb == "off" ? v1::ACTION_OFF : v1::ACTION_DIM);
    if (verb == "dim") e.set_dim_level(static_cast<std::uint32_t>(level));
    out.push_back(e);
  }
  if (out.empty()) {
    if (error) *error = "the schedule is empty";
    return std::nullopt;
  }
  return out;
}

v1::Command sign_owner_command(const CommandRequest& req, const crypto::Ed25519PrivateKey& owner,
                               std::uint64_t last_nonce) {
  v1::Command cmd;
  cmd.set_device_id(req.device_id.toStdString());
  cmd.set_action(req.action);
  if (req.action == v1::ACTION_DIM) cmd.set_dim_level(static_cast<std::uint32_t>(req.dim_level));
  for (const auto& e : req.schedule) *cmd.add_schedule() = e;
  const auto now_us = static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch()) * 1000;
  cmd.set_nonce(std::max(now_us, last_nonce + 1));
  cmd.set_issued_at_us(static_cast<std::int64_t>(now_us));
  sign_command(&cmd, owner);
  return cmd;
}

std::optional<crypto::Ed25519PrivateKey> load_owner_key(const QString& pem_path, QString* error) {
  auto key = crypto::Ed25519PrivateKey::load_pem_file(pem_path.toStdString());
  if (!key.ok()) {
    if (error) {
      *error =
          QString("owner key %1: %2").arg(pem_path, QString::fromStdString(key.status().message()));
    }
    return std::nullopt;
  }
  return std::move(key).value();
}

}  // namespace itc::studio
