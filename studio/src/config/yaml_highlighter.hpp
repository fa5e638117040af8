// YamlHighlighter: syntax colours for a node's YAML config — keys, strings, numbers and
// booleans, comments, list dashes and anchors — line by line (the node's configs have no
// multi-line scalars that would need state across lines).
// Thread safety: GUI thread only.
#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>

namespace itc::studio {

class YamlHighlighter : public QSyntaxHighlighter {
  Q_OBJECT

 public:
  explicit YamlHighlighter(QTextDocument* doc);

 protected:
  void highlightBlock(const QString& text) override;

 private:
  struct Rule {
    QRegularExpression pattern;
    QTextCharFormat format;
    int group = 0;  // the capture group that gets the format
  };
  std::vector<Rule> rules_;
  QTextCharFormat comment_;
};

}  // namespace itc::studio
