// Health: the state of anything Studio shows — fine, watch, act, or not known yet — and how
// it is drawn everywhere (the header strip, the alarm list, the tables' State columns, the
// fleet chart): a colour readable on the desktop's palette *and* a symbol (✔ ▲ ✖ ?), so a
// colour-blind user reads it too.
// Thread safety: pure functions.
#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

namespace itc::studio {

enum class Health { kUnknown, kGood, kWarning, kBad };

// A table model answers this role with the Health (as int) of a cell that shows a state;
// the readable tables (app/readable_table) then draw its symbol and colour.
inline constexpr int kHealthRole = Qt::UserRole + 0x4e1;

// The symbol that carries a health state besides its colour (for colour-blind users).
QString health_symbol(Health h);
// The colour of a health state, readable on `palette` (light or dark).
QColor health_color(Health h, const QPalette& palette);

}  // namespace itc::studio
