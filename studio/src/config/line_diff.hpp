// A line diff of two texts (longest common subsequence), shown before a config is applied.
// Thread safety: pure functions.
#pragma once

#include <QString>
#include <QStringList>
#include <vector>

namespace itc::studio {

struct DiffLine {
  enum class Kind { kSame, kRemoved, kAdded };
  Kind kind;
  QString text;
  int old_line = 0;  // 1-based; 0 for added lines
  int new_line = 0;  // 1-based; 0 for removed lines
};

std::vector<DiffLine> diff_lines(const QString& before, const QString& after);
// Unified-diff-like text of the changes with `context` unchanged lines around each;
// empty if the texts are equal line by line.
QString unified_diff(const std::vector<DiffLine>& diff, int context = 2);

}  // namespace itc::studio
