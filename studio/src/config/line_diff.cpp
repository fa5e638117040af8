#include "config/line_diff.hpp"

namespace itc::studio {

std::vector<DiffLine> diff_lines(const QString& before, const QString& after) {
  const QStringList a = before.split('\n');
  const QStringList b = after.split('\n');
  const std::size_t n = static_cast<std::size_t>(a.size()), m = static_cast<std::size_t>(b.size());
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]. Config files are small (< 10^3 lines).
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[static_cast<qsizetype>(i)] == b[static_cast<qsizetype>(j)]
                      ? lcs[i + 1][j + 1] + 1
                      : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<DiffLine> out;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    const auto ai = static_cast<qsizetype>(i), bj = static_cast<qsizetype>(j);
    if (i < n && j < m && a[ai] == b[bj]) {
      out.push_back({DiffLine::Kind::kSame, a[ai], int(i) + 1, int(j) + 1});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push_back({DiffLine::Kind::kRemoved, a[ai], int(i) + 1, 0});
      ++i;
    } else {
      out.push_back({DiffLine::Kind::kAdded, b[bj], 0, int(j) + 1});
      ++j;
    }
  }
  return out;
}

QString unified_diff(const std::vector<DiffLine>& diff, int context) {
  QString out;
  const int n = static_cast<int>(diff.size());
  std::vector<bool> show(diff.size(), false);
  for (int k = 0; k < n; ++k) {
    if (diff[static_cast<std::size_t>(k)].kind == DiffLine::Kind::kSame) continue;
    for (int c = std::max(0, k - context); c <= std::min(n - 1, k + context); ++c) {
      show[static_cast<std::size_t>(c)] = true;
    }
  }
  bool gap = false;
  for (int k = 0; k < n; ++k) {
    const DiffLine& d = diff[static_cast<std::size_t>(k)];
    if (!show[static_cast<std::size_t>(k)]) {
      gap = true;
      continue;
    }
    if (gap && !out.isEmpty()) out += "…\n";
    gap = false;
    const char mark = d.kind == DiffLine::Kind::kAdded     ? '+'
                      : d.kind == DiffLine::Kind::kRemoved ? '-'
                                                           : ' ';
    const int line = d.kind == DiffLine::Kind::kRemoved ? d.old_line : d.new_line;
    out += QString("%1 %2 | %3\n").arg(QChar(mark)).arg(line, 4).arg(d.text);
  }
  return out;
}

}  // namespace itc::studio
