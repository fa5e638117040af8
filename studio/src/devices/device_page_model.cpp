#include "devices/device_page_model.hpp"

#include <QDateTime>
#include <algorithm>

namespace itc::studio {

DevicePageModel::DevicePageModel(Fetch fetch, QObject* parent)
    : QAbstractTableModel(parent), fetch_(std::move(fetch)) {}

void DevicePageModel::set_filter(const DeviceFilter& filter) {
  beginResetModel();
  filter_ = filter;
  ++generation_;
  total_ = 0;
  loaded_ = false;
  error_.clear();
  pages_.clear();
  lru_.clear();
  requested_.clear();
  endResetModel();
  request(0);
}

void DevicePageModel::request(int page) const {
  if (requested_.contains(page) || !fetch_) return;
  requested_.insert(page);
  fetch_(generation_, filter_, page * kPageSize, kPageSize);
}

void DevicePageModel::touch(int page) const {
  lru_.remove(page);
  lru_.push_front(page);
}

void DevicePageModel::page_arrived(quint64 generation, const v1::DeviceList& list) {
  if (generation != generation_) return;
  const int page = static_cast<int>(list.offset()) / kPageSize;
  requested_.remove(page);
  const int new_total = static_cast<int>(list.total());
  if (!loaded_) {
    // The fleet's size under this filter is first known: rows follow it.
    beginResetModel();
    total_ = new_total;
    pages_.insert(page, {list.devices().begin(), list.devices().end()});
    touch(page);
    endResetModel();
    loaded_ = true;
    emit first_page_loaded(total_);
    return;
  }
  if (new_total != total_) {
    // The count changed (devices registered, or changed state under a state filter): rows
    // are added or removed at the end, so that a view keeps its scroll position and
    // selection; cached pages other than this one may have shifted and are dropped.
    if (new_total > total_) {
      beginInsertRows({}, total_, new_total - 1);
      total_ = new_total;
      endInsertRows();
    } else {
      beginRemoveRows({}, new_total, total_ - 1);
      total_ = new_total;
      endRemoveRows();
    }
    pages_.clear();
    lru_.clear();
    pages_.insert(page, {list.devices().begin(), list.devices().end()});
    touch(page);
    if (total_ > 0) emit dataChanged(index(0, 0), index(total_ - 1, kCount - 1));
    return;
  }
  pages_.insert(page, {list.devices().begin(), list.devices().end()});
  touch(page);
  while (static_cast<int>(lru_.size()) > kMaxPages) {
    pages_.remove(lru_.back());
    lru_.pop_back();
  }
  const int first_row = page * kPageSize;
  const int last_row = std::min(total_, first_row + kPageSize) - 1;
  if (last_row >= first_row) emit dataChanged(index(first_row, 0), index(last_row, kCount - 1));
}

void DevicePageModel::page_failed(quint64 generation, const QString& error) {
  if (generation != generation_) return;
  requested_.clear();
  error_ = error;
  if (!loaded_) emit first_page_loaded(-1);
}

void DevicePageModel::update_device(const v1::DeviceStatus& status) {
  for (auto it = pages_.begin(); it != pages_.end(); ++it) {
    auto& devices = it.value();
    for (std::size_t i = 0; i < devices.size(); ++i) {
      if (devices[i].device_id() != status.device_id()) continue;
      devices[i] = status;
      const int row = it.key() * kPageSize + static_cast<int>(i);
      emit dataChanged(index(row, 0), index(row, kCount - 1));
      return;
    }
  }
}

void DevicePageModel::refresh_rows(int first, int last) {
  if (!loaded_ || total_ == 0) return;
  first = std::clamp(first, 0, total_ - 1);
  last = std::clamp(last, first, total_ - 1);
  for (int page = first / kPageSize; page <= last / kPageSize; ++page) request(page);
}

const v1::DeviceStatus* DevicePageModel::device_at(int row) const {
  auto it = pages_.constFind(row / kPageSize);
  if (it == pages_.constEnd()) return nullptr;
  const std::size_t i = static_cast<std::size_t>(row % kPageSize);
  return i < it->size() ? &(*it)[i] : nullptr;
}

QString DevicePageModel::state_name(const v1::DeviceStatus& d) {
  QString s;
  switch (d.state()) {
    case v1::DEVICE_STATE_ONLINE:
      s = "online";
      break;
    case v1::DEVICE_STATE_STALE:
      s = "stale";
      break;
    case v1::DEVICE_STATE_OFFLINE:
      s = "offline";
      break;
    default:
      s = "unknown";
  }
  return d.fault() ? s + ", fault" : s;
}

Health DevicePageModel::state_health(const v1::DeviceStatus& d) {
  if (d.fault() || d.state() == v1::DEVICE_STATE_OFFLINE) return Health::kBad;
  if (d.state() == v1::DEVICE_STATE_STALE) return Health::kWarning;
  if (d.state() == v1::DEVICE_STATE_ONLINE) return Health::kGood;
  return Health::kUnknown;
}

int DevicePageModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : total_;
}

int DevicePageModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kCount;
}

QVariant DevicePageModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= total_) return {};
  const v1::DeviceStatus* d = device_at(index.row());
  if (!d) {
    request(index.row() / kPageSize);
    return role == Qt::DisplayRole && index.column() == kId ? QVariant("…") : QVariant();
  }
  touch(index.row() / kPageSize);
  if (role == kHealthRole && index.column() == kState) return static_cast<int>(state_health(*d));
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kId:
      return QString::fromStdString(d->device_id());
    case kState:
      return state_name(*d);
    case kProfile:
      return QString::fromStdString(d->profile());
    case kLastSeen:
      return d->last_seen_us() == 0
                 ? QVariant()
                 : QVariant(QDateTime::fromMSecsSinceEpoch(d->last_seen_us() / 1000));
    case kReadings:
      return static_cast<qulonglong>(d->readings());
    case kErrors:
      return static_cast<qulonglong>(d->errors());
    case kLastError:
      return QString::fromStdString(d->last_error());
    case kLastCommand:  // the device's own verdict (a lamp verifying its owner itself)
      return QString::fromStdString(d->last_command());
  }
  return {};
}

QVariant DevicePageModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[kCount] = {"Device",   "State",  "Profile",    "Last seen",
                                      "Readings", "Errors", "Last error", "Device's verdict"};
  return section >= 0 && section < kCount ? names[section] : QVariant();
}

}  // namespace itc::studio
