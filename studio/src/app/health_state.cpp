#include "app/health_state.hpp"

namespace itc::studio {

QString health_symbol(Health h) {
  switch (h) {
    case Health::kGood:
      return QString::fromUtf8("✔");
    case Health::kWarning:
      return QString::fromUtf8("▲");
    case Health::kBad:
      return QString::fromUtf8("✖");
    case Health::kUnknown:
      break;
  }
  return "?";
}

QColor health_color(Health h, const QPalette& palette) {
  const bool dark = palette.color(QPalette::Window).lightness() < 128;
  switch (h) {
    case Health::kGood:
      return dark ? QColor(0x4c, 0xc3, 0x8a) : QColor(0x1a, 0x7f, 0x4b);
    case Health::kWarning:
      return dark ? QColor(0xf0, 0xb4, 0x29) : QColor(0xb0, 0x6d, 0x00);
    case Health::kBad:
      return dark ? QColor(0xff, 0x6b, 0x5e) : QColor(0xc6, 0x28, 0x28);
    case Health::kUnknown:
      break;
  }
  return palette.color(QPalette::PlaceholderText);
}

}  // namespace itc::studio
