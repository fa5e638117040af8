#include "app/readable_table.hpp"

#include <QDateTime>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLocale>
#include <QScrollBar>
#include <QToolTip>

#include "app/health_state.hpp"

namespace itc::studio {

namespace {
// Left and right padding of a cell's text in the styles Studio runs with, plus a little air.
constexpr int kCellPadding = 16;
// Other columns grow to at most this; longer text is elided in the middle, whole in a tooltip.
constexpr int kMaxColumnWidth = 300;
// Rows counted as on screen when the view has no layout yet.
constexpr int kMaxRowsOnScreen = 100;

QLocale grouping_locale() {
  QLocale locale;
  locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
  return locale;
}
}  // namespace

bool is_number(const QVariant& value) {
  switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Double:
    case QMetaType::Float:
      return true;
    default:
      return false;
  }
}

QString display_text(const QVariant& value) {
  const QLocale locale = grouping_locale();
  switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::Long:
    case QMetaType::LongLong:
      return locale.toString(value.toLongLong());
    case QMetaType::UInt:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
      return locale.toString(value.toULongLong());
    case QMetaType::Double:
    case QMetaType::Float: {
      const double d = value.toDouble();
      return locale.toString(d, 'f', std::abs(d) >= 100 ? 0 : 2);
    }
    case QMetaType::QDateTime: {
      const QDateTime t = value.toDateTime().toLocalTime();
      // The locale's long time format has seconds; drop its time zone.
      QString time_format = locale.timeFormat(QLocale::LongFormat);
      time_format.remove(QLatin1Char('t')).replace(QLatin1String("  "), QLatin1String(" "));
      time_format = time_format.trimmed();
      const QString time = locale.toString(t.time(), time_format);
      if (t.date() == QDate::currentDate()) return time;
      return locale.toString(t.date(), QLocale::ShortFormat) + " " + time;
    }
    default:
      return value.toString();
  }
}

QString cell_text(const QModelIndex& index) {
  const QString text = display_text(index.data());
  const QVariant health = index.data(kHealthRole);
  if (!health.isValid()) return text;
  return health_symbol(static_cast<Health>(health.toInt())) + " " + text;
}

QString ReadableDelegate::displayText(const QVariant& value, const QLocale&) const {
  return display_text(value);
}

void ReadableDelegate::initStyleOption(QStyleOptionViewItem* option,
                                       const QModelIndex& index) const {
  QStyledItemDelegate::initStyleOption(option, index);
  if (const QVariant health = index.data(kHealthRole); health.isValid()) {
    option->text = cell_text(index);
    const QColor c = health_color(static_cast<Health>(health.toInt()), option->palette);
    option->palette.setColor(QPalette::Text, c);
  }
  if (is_number(index.data(Qt::DisplayRole)) && !index.data(Qt::TextAlignmentRole).isValid()) {
    option->displayAlignment = Qt::AlignRight | Qt::AlignVCenter;
  }
}

ReadableTable* ReadableTable::apply(QTableView* view, std::vector<int> identifying, int stretch) {
  return new ReadableTable(view, std::move(identifying), stretch);
}

ReadableTable::ReadableTable(QTableView* view, std::vector<int> identifying, int stretch)
    : QObject(view), view_(view), identifying_(std::move(identifying)), stretch_(stretch) {
  view->setItemDelegate(new ReadableDelegate(view));
  view->setTextElideMode(Qt::ElideMiddle);
  view->setWordWrap(false);
  QHeaderView* header = view->horizontalHeader();
  header->setStretchLastSection(false);
  header->setSectionResizeMode(QHeaderView::Interactive);
  header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  if (stretch >= 0) header->setSectionResizeMode(stretch, QHeaderView::Stretch);
  // Columns start as wide as their title and grow to their contents (fit), so the stretch
  // column gets what is really left.
  header->setMinimumSectionSize(24);
  for (int c = 0; c < view->model()->columnCount(); ++c) {
    if (c != stretch) {
      resize_column(c, width_for(view->model()->headerData(c, Qt::Horizontal).toString()));
    }
  }
  fit_timer_.setSingleShot(true);
  fit_timer_.setInterval(50);
  connect(&fit_timer_, &QTimer::timeout, this, &ReadableTable::fit);
  shrink_timer_.setSingleShot(true);
  connect(&shrink_timer_, &QTimer::timeout, this, &ReadableTable::fit);
  connect(header, &QHeaderView::sectionResized, this, [this](int c, int, int) {
    if (resizing_ || c < 0) return;
    if (static_cast<std::size_t>(c) >= user_sized_.size()) user_sized_.resize(c + 1u, false);
    user_sized_[static_cast<std::size_t>(c)] = true;
  });
  QAbstractItemModel* model = view->model();
  connect(model, &QAbstractItemModel::dataChanged, this, &ReadableTable::schedule);
  connect(model, &QAbstractItemModel::rowsInserted, this, &ReadableTable::schedule);
  connect(model, &QAbstractItemModel::modelReset, this, &ReadableTable::schedule);
  connect(model, &QAbstractItemModel::layoutChanged, this, &ReadableTable::schedule);
  connect(view->verticalScrollBar(), &QScrollBar::valueChanged, this, &ReadableTable::schedule);
  view->viewport()->installEventFilter(this);
  schedule();
}

int ReadableTable::width_for(const QString& text) const {
  return view_->fontMetrics().horizontalAdvance(text) + kCellPadding;
}

std::pair<int, int> ReadableTable::visible_rows() const {
  const int rows = view_->model()->rowCount();
  if (rows == 0) return {0, -1};
  const int first = std::max(0, view_->rowAt(0));
  int last = view_->rowAt(view_->viewport()->height() - 1);
  // -1: fewer rows than the viewport holds, or no layout yet: at most a screenful.
  if (last < 0) last = std::min(rows - 1, first + kMaxRowsOnScreen - 1);
  return {first, last};
}

void ReadableTable::resize_column(int c, int width) {
  resizing_ = true;
  view_->horizontalHeader()->resizeSection(c, width);
  resizing_ = false;
}

void ReadableTable::fit() {
  QAbstractItemModel* model = view_->model();
  QHeaderView* header = view_->horizontalHeader();
  const auto [first, last] = visible_rows();
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  shrink_.resize(static_cast<std::size_t>(model->columnCount()));
  user_sized_.resize(std::max(user_sized_.size(), shrink_.size()), false);
  qint64 next_shrink_ms = -1;
  for (int c = 0; c < model->columnCount(); ++c) {
    if (c == stretch_ || header->isSectionHidden(c)) continue;
    int needed = width_for(model->headerData(c, Qt::Horizontal).toString());
    for (int r = first; r <= last; ++r) {
      needed = std::max(needed, width_for(cell_text(model->index(r, c))));
    }
    const bool identifying =
        std::find(identifying_.begin(), identifying_.end(), c) != identifying_.end();
    if (!identifying) needed = std::min(needed, kMaxColumnWidth);
    const int now_width = header->sectionSize(c);
    Shrink& shrink = shrink_[static_cast<std::size_t>(c)];
    if (needed >= now_width) {
      shrink = {};
      if (needed > now_width && (identifying || !user_sized_[static_cast<std::size_t>(c)])) {
        resize_column(c, needed);
      }
      continue;
    }
    if (user_sized_[static_cast<std::size_t>(c)]) continue;  // as wide as the user made it
    // Narrower content: shrink once it has stayed narrower for a while, to the widest it
    // needed meanwhile.
    if (shrink.since_ms == 0) shrink = {now, needed};
    shrink.widest = std::max(shrink.widest, needed);
    const qint64 due = shrink.since_ms + kShrinkAfterMs;
    if (now >= due) {
      resize_column(c, shrink.widest);
      shrink = {};
    } else if (next_shrink_ms < 0 || due < next_shrink_ms) {
      next_shrink_ms = due;
    }
  }
  if (next_shrink_ms >= 0) shrink_timer_.start(static_cast<int>(next_shrink_ms - now) + 1);
}

bool ReadableTable::elided(const QModelIndex& index) const {
  const QString text = cell_text(index);
  return !text.isEmpty() && width_for(text) > view_->columnWidth(index.column());
}

bool ReadableTable::eventFilter(QObject* watched, QEvent* event) {
  if (watched == view_->viewport() && event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const QModelIndex index = view_->indexAt(help->pos());
    if (index.isValid() && !index.data(Qt::ToolTipRole).isValid() && elided(index)) {
      QToolTip::showText(help->globalPos(), cell_text(index), view_->viewport());
      return true;
    }
  }
  if (watched == view_->viewport() &&
      (event->type() == QEvent::Resize || event->type() == QEvent::Show)) {
    schedule();
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace itc::studio
