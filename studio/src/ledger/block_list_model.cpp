#include "ledger/block_list_model.hpp"

#include <QDateTime>

#include "node_api/proto_json.hpp"

namespace itc::studio {

BlockListModel::BlockListModel(Fetch fetch, QObject* parent)
    : QAbstractTableModel(parent), fetch_(std::move(fetch)) {}

void BlockListModel::set_head(std::uint64_t head_height) {
  if (head_height == head_) return;
  if (head_height > head_ && head_ > 0) {
    // New blocks go on top; existing rows keep their data.
    beginInsertRows({}, 0, static_cast<int>(head_height - head_) - 1);
    head_ = head_height;
    endInsertRows();
    return;
  }
  beginResetModel();
  head_ = head_height;
  headers_.clear();
  requested_.clear();
  endResetModel();
}

void BlockListModel::set_block(const v1::Block& block) {
  const std::uint64_t h = block.header().height();
  headers_.insert(h, {block.header(), block.hash(), block.has_qc()});
  requested_.remove(h);
  if (h >= 1 && h <= head_) emit dataChanged(index(row_of(h), 0), index(row_of(h), kCount - 1));
}

void BlockListModel::set_committed(const v1::BlockCommitted& block) {
  const std::uint64_t h = block.header().height();
  headers_.insert(h, {block.header(), block.hash(), block.has_qc()});
  requested_.remove(h);
  if (h >= 1 && h <= head_) emit dataChanged(index(row_of(h), 0), index(row_of(h), kCount - 1));
}

void BlockListModel::fetch_failed(std::uint64_t height) { requested_.remove(height); }

void BlockListModel::request(std::uint64_t height) const {
  if (!fetch_ || height < 1 || height > head_) return;
  requested_.insert(height, QDateTime::currentMSecsSinceEpoch());
  fetch_(height);
}

void BlockListModel::request_missing(int first, int last) {
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  for (int row = std::max(0, first); row <= last && row < rowCount(); ++row) {
    const std::uint64_t h = height_at(row);
    if (headers_.contains(h)) continue;
    auto it = requested_.constFind(h);
    if (it == requested_.constEnd() || now - *it > kRefetchMs) request(h);
  }
}

int BlockListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(std::min<std::uint64_t>(head_, INT32_MAX));
}

int BlockListModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kCount;
}

QVariant BlockListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || role != Qt::DisplayRole) return {};
  const std::uint64_t h = height_at(index.row());
  if (index.column() == kHeight) return static_cast<qulonglong>(h);
  auto it = headers_.constFind(h);
  if (it == headers_.constEnd()) {
    if (!requested_.contains(h)) request(h);
    return index.column() == kHash ? QVariant("…") : QVariant();
  }
  const v1::BlockHeader& hd = it->header;
  switch (index.column()) {
    case kHash:
      return hex(it->hash, 16);
    case kTxs:
      return hd.tx_count();
    case kReadings:
      return hd.reading_count();
    case kProducer:
      return QString::fromStdString(hd.producer());
    case kView:
      return static_cast<qulonglong>(hd.view());
    case kTime:
      return QDateTime::fromMSecsSinceEpoch(hd.timestamp_us() / 1000);
  }
  return {};
}

QVariant BlockListModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[kCount] = {"Height",   "Hash", "Txs", "Readings",
                                      "Producer", "View", "Time"};
  return section >= 0 && section < kCount ? names[section] : QVariant();
}

}  // namespace itc::studio
