// LedgerView: the ledger explorer. Blocks newest first (following Event.block), a block's
// header, transactions and certificate; its quorum certificate verified locally against
// the validators of a genesis file the user picks, and a transaction's Merkle inclusion
// proof built and checked locally against the header's tx_root.
// Thread safety: GUI thread only.
#pragma once

#include <QTimer>
#include <QWidget>
#include <optional>

#include "ledger/block_list_model.hpp"
#include "ledger/block_verifier.hpp"
#include "session/network_session.hpp"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTableView;
class QTableWidget;

namespace itc::studio {

class ReadableTable;

class LedgerView : public QWidget {
  Q_OBJECT

 public:
  explicit LedgerView(NetworkSession* session, QWidget* parent = nullptr);

  BlockListModel* model() const { return model_; }
  QTableView* block_table() const { return blocks_; }
  QTableWidget* tx_table() const { return txs_; }
  QString verdict_text() const;
  const std::optional<v1::Block>& current_block() const { return block_; }

  void refresh_head();
  void open_block(std::uint64_t height);
  // False and the verdict label says why if the genesis file is unusable.
  bool set_genesis_file(const QString& path);
  Verdict verify_current_certificate();
  Verdict verify_current_transaction(int index);

 signals:
  void block_opened(std::uint64_t height);
  void head_changed(std::uint64_t height);

 private:
  void show_block(const v1::Block& block);
  void show_verdict(const Verdict& v);
  int node() const;

  NetworkSession* session_;
  QComboBox* node_box_;
  BlockListModel* model_;
  QTableView* blocks_;
  QPlainTextEdit* header_;
  QTableWidget* txs_;
  QLabel* genesis_label_;
  QLabel* verdict_;
  std::optional<v1::Block> block_;
  std::optional<ledger::ValidatorSet> validators_;
  ReadableTable* readable_;
  QTimer visible_rows_;
};

}  // namespace itc::studio
