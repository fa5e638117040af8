// DevicePageModel: the fleet as a table that never holds more than a window of it. Rows
// number DeviceList.total of the current filter; a row's page (kPageSize devices) is
// fetched from GET /v1/devices?state=&q=&offset=&limit= only when a view shows it, and at
// most kMaxPages pages are cached (the least recently used go first). A new filter starts a
// new generation: answers to an older one are dropped.
// Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <functional>
#include <list>

#include "app/health_state.hpp"
#include "itc/v1/device.pb.h"
#include "node_api/node_api.hpp"  // DeviceFilter

namespace itc::studio {

class DevicePageModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    kId,
    kState,
    kProfile,
    kLastSeen,
    kReadings,
    kErrors,
    kLastError,
    kLastCommand,
    kCount
  };
  static constexpr int kPageSize = 200;
  static constexpr int kMaxPages = 40;  // 8,000 devices at most in memory

  // fetch(generation, filter, offset, limit): ask the node; answer via page_arrived().
  using Fetch = std::function<void(quint64, const DeviceFilter&, int, int)>;
  explicit DevicePageModel(Fetch fetch, QObject* parent = nullptr);

  // Drops everything and fetches the first page of `filter`.
  void set_filter(const DeviceFilter& filter);
  const DeviceFilter& filter() const { return filter_; }
  quint64 generation() const { return generation_; }
  // An answer for `generation` (ignored if stale). The first page sets the row count (a
  // model reset); a later answer with another count adds or removes rows at the end.
  void page_arrived(quint64 generation, const v1::DeviceList& page);
  void page_failed(quint64 generation, const QString& error);
  // One device changed (Event.device, or the selected device polled): its row is updated
  // if its page is cached.
  void update_device(const v1::DeviceStatus& status);
  // Fetches again the pages holding rows first..last (what a view shows), so that their
  // counters (readings, errors, last seen) follow the node; the answers arrive through
  // page_arrived(). Does nothing before the first page of the filter arrived.
  void refresh_rows(int first, int last);

  // The device on `row` if its page is cached.
  const v1::DeviceStatus* device_at(int row) const;
  int total() const { return total_; }
  bool loaded() const { return loaded_; }  // the first page of this filter arrived
  int cached_pages() const { return static_cast<int>(pages_.size()); }
  const QString& last_error() const { return error_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

  static QString state_name(const v1::DeviceStatus& d);
  // online: fine; stale: watch; offline or in fault: act; unknown: not known.
  static Health state_health(const v1::DeviceStatus& d);

 signals:
  void first_page_loaded(int total);

 private:
  void request(int page) const;
  void touch(int page) const;

  Fetch fetch_;
  DeviceFilter filter_;
  quint64 generation_ = 0;
  int total_ = 0;
  bool loaded_ = false;
  QString error_;
  QHash<int, std::vector<v1::DeviceStatus>> pages_;
  mutable std::list<int> lru_;  // most recent first
  mutable QSet<int> requested_;
};

}  // namespace itc::studio
