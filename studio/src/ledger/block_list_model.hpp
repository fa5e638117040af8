// BlockListModel: the chain newest first, one row per height from the head down. Only the
// rows a view shows are fetched (GET /v1/ledger/blocks/{h} through `fetch`), and the
// cache keeps headers only, so a long chain costs nothing up front. A fetch that failed or
// went unanswered is asked again (request_missing), so rows on screen always end up loaded;
// new blocks come with their headers from the event stream.
// Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <functional>

#include "itc/v1/ledger.pb.h"

namespace itc::studio {

class BlockListModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kHeight, kHash, kTxs, kReadings, kProducer, kView, kTime, kCount };
  using Fetch = std::function<void(std::uint64_t height)>;

  explicit BlockListModel(Fetch fetch, QObject* parent = nullptr);

  // The chain's height; rows are head_height .. 1.
  void set_head(std::uint64_t head_height);
  std::uint64_t head() const { return head_; }
  // A fetched block (its readings and transactions are not kept).
  void set_block(const v1::Block& block);
  // A block announced by Event.block: its header is kept as if fetched.
  void set_committed(const v1::BlockCommitted& block);
  // The fetch of `height` failed: it will be asked again.
  void fetch_failed(std::uint64_t height);
  // Fetches the headers of rows first..last that are missing and not asked for in the last
  // kRefetchMs (the rows on screen).
  void request_missing(int first, int last);
  static constexpr qint64 kRefetchMs = 5000;
  std::uint64_t height_at(int row) const { return head_ - static_cast<std::uint64_t>(row); }
  int row_of(std::uint64_t height) const { return static_cast<int>(head_ - height); }
  bool has(std::uint64_t height) const { return headers_.contains(height); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  struct Summary {
    v1::BlockHeader header;
    std::string hash;
    bool has_qc = false;
  };
  Fetch fetch_;
  std::uint64_t head_ = 0;
  QHash<quint64, Summary> headers_;
  void request(std::uint64_t height) const;
  mutable QHash<quint64, qint64> requested_;  // height -> when asked (ms since the epoch)
};

}  // namespace itc::studio
