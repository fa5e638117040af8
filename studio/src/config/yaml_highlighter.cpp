#include "config/yaml_highlighter.hpp"

namespace itc::studio {

namespace {
QTextCharFormat colour(const QColor& c, bool bold = false) {
  QTextCharFormat f;
  f.setForeground(c);
  if (bold) f.setFontWeight(QFont::Bold);
  return f;
}
}  // namespace

YamlHighlighter::YamlHighlighter(QTextDocument* doc) : QSyntaxHighlighter(doc) {
  // Later rules win where they overlap.
  rules_.push_back({QRegularExpression(R"(^\s*(-)\s)"), colour(QColor(0x80, 0x80, 0x80), true), 1});
  rules_.push_back({QRegularExpression(R"((?:^|[\s{,\-])([A-Za-z_][\w.\-]*)\s*:(?=\s|$))"),
                    colour(QColor(0x1a, 0x4f, 0x9c), true), 1});
  rules_.push_back({QRegularExpression(R"(:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(?=$|[,}\]#]))"),
                    colour(QColor(0x98, 0x50, 0x00)), 1});
  rules_.push_back(
      {QRegularExpression(R"(\b(true|false|null|yes|no|on|off)\b(?=\s*(?:$|[,}\]#])))"),
       colour(QColor(0x8a, 0x2b, 0xb2)), 1});
  rules_.push_back(
      {QRegularExpression(R"(("(?:[^"\\]|\\.)*"|'[^']*'))"), colour(QColor(0x0a, 0x7a, 0x2f)), 1});
  rules_.push_back({QRegularExpression(R"([&*][\w\-]+)"), colour(QColor(0xb0, 0x30, 0x60)), 0});
  comment_ = colour(QColor(0x70, 0x70, 0x70));
  comment_.setFontItalic(true);
}

void YamlHighlighter::highlightBlock(const QString& text) {
  for (const Rule& r : rules_) {
    for (auto it = r.pattern.globalMatch(text); it.hasNext();) {
      const auto m = it.next();
      setFormat(static_cast<int>(m.capturedStart(r.group)),
                static_cast<int>(m.capturedLength(r.group)), r.format);
    }
  }
  // A comment starts at '#' at the line's start or after a space, outside quotes.
  bool in_single = false, in_double = false;
  for (int i = 0; i < text.size(); ++i) {
    const QChar c = text[i];
    if (c == '\'' && !in_double) in_single = !in_single;
    if (c == '"' && !in_single) in_double = !in_double;
    if (c == '#' && !in_single && !in_double && (i == 0 || text[i - 1].isSpace())) {
      setFormat(i, static_cast<int>(text.size()) - i, comment_);
      break;
    }
  }
}

}  // namespace itc::studio
