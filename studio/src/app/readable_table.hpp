// Readable tables: what every table view of Studio does so a person can read it at any
// window size from 1280×800 up — numbers right-aligned with thousands separators and times
// in the user's locale (ReadableDelegate), a state's symbol (✔ ▲ ✖ ?) and colour in State
// columns, columns sized to the rows on screen (grown at once; shrunk back only once their
// content has stayed narrower for kShrinkAfterMs, so the table does not jitter while rows
// scroll past, and a column the user sized is left as they sized it), the identifying
// columns (device id, node, plugin, height) never narrower than their text, one stretch
// column taking what is left, text elided in the middle when a column must be narrower,
// and the full text of an elided cell as its tooltip.
// Thread safety: GUI thread only.
#pragma once

#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>
#include <vector>

namespace itc::studio {

// The text a cell shows for `value`: integers with the locale's thousands separators (also
// in the C locale), doubles with at most 2 decimals, date-times as the user's locale writes
// them (with seconds; the date only if not today).
QString display_text(const QVariant& value);
// True for the values ReadableDelegate right-aligns.
bool is_number(const QVariant& value);
// The text the cell at `index` shows: display_text of its value, after the symbol of its
// state (✔ ▲ ✖ ?) when its model gives one (kHealthRole).
QString cell_text(const QModelIndex& index);

class ReadableDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  QString displayText(const QVariant& value, const QLocale& locale) const override;

 protected:
  void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;
};

class ReadableTable : public QObject {
  Q_OBJECT

 public:
  // Makes `view` readable (see above); `identifying` columns are never elided, `stretch`
  // takes the width left (-1: none). Owned by the view.
  static ReadableTable* apply(QTableView* view, std::vector<int> identifying, int stretch);

  // A column whose content is narrower than the column for this long shrinks to it.
  static constexpr int kShrinkAfterMs = 2000;

  // Sizes the columns to the rows on screen now (also done after each change, batched):
  // grows a column at once, shrinks it once narrower for kShrinkAfterMs.
  void fit();
  // The width a column needs for `text` (the cell's margins included).
  int width_for(const QString& text) const;
  // True if the cell at `index` shows less than its whole text.
  bool elided(const QModelIndex& index) const;
  // The rows on screen: [first, last], or first > last if none.
  std::pair<int, int> visible_rows() const;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  ReadableTable(QTableView* view, std::vector<int> identifying, int stretch);
  void schedule() { fit_timer_.start(); }

  // A column narrower content would fit: since when, and the widest it needed since.
  struct Shrink {
    qint64 since_ms = 0;  // 0: the content fills the column
    int widest = 0;
  };
  void resize_column(int c, int width);

  QTableView* view_;
  std::vector<int> identifying_;
  int stretch_;
  QTimer fit_timer_;
  QTimer shrink_timer_;
  std::vector<Shrink> shrink_;
  std::vector<bool> user_sized_;
  bool resizing_ = false;  // the resize in progress is this class's, not the user's
};

}  // namespace itc::studio
