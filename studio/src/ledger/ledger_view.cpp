#include "ledger/ledger_view.hpp"

#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include "app/readable_table.hpp"
#include "app/view_bar.hpp"
#include "node_api/proto_json.hpp"

namespace itc::studio {

namespace {
QString tx_kind(const v1::Transaction& tx) {
  if (tx.has_transfer())
    return QString("transfer %1 to %2")
        .arg(tx.transfer().amount())
        .arg(hex(tx.transfer().to(), 12));
  if (tx.has_register_device())
    return "register device " + QString::fromStdString(tx.register_device().device_id());
  if (tx.has_transfer_device())
    return "transfer device " + QString::fromStdString(tx.transfer_device().device_id());
  if (tx.has_anchor()) return QString("anchor of %1 bytes").arg(tx.anchor().data().size());
  return "(empty)";
}
}  // namespace

LedgerView::LedgerView(NetworkSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
  node_box_ = new QComboBox(this);
  for (int i = 0; i < session->node_count(); ++i) node_box_->addItem(session->node_name(i));
  connect(session, &NetworkSession::node_changed, this, [this](int i) {
    if (i < node_box_->count()) node_box_->setItemText(i, session_->node_name(i));
  });
  model_ = new BlockListModel(
      [this](std::uint64_t h) {
        session_->api(node()).block(h, this, [this, h](const NodeAnswer<v1::Block>& b) {
          if (b.ok()) {
            model_->set_block(*b);
          } else {
            model_->fetch_failed(h);
          }
        });
      },
      this);
  connect(node_box_, &QComboBox::currentIndexChanged, this, [this] {
    model_->set_head(0);
    refresh_head();
  });

  blocks_ = new QTableView(this);
  blocks_->setObjectName("blockTable");
  blocks_->setModel(model_);
  blocks_->setSelectionBehavior(QAbstractItemView::SelectRows);
  blocks_->setSelectionMode(QAbstractItemView::SingleSelection);
  blocks_->verticalHeader()->hide();
  readable_ =
      ReadableTable::apply(blocks_, {BlockListModel::kHeight, BlockListModel::kProducer}, -1);
  // Rows on screen whose header did not come (a failed or lost fetch) are asked again.
  visible_rows_.setInterval(1000);
  connect(&visible_rows_, &QTimer::timeout, this, [this] {
    if (!blocks_->isVisible()) return;
    const auto [first, last] = readable_->visible_rows();
    model_->request_missing(first, last);
  });
  visible_rows_.start();
  connect(blocks_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (current.isValid()) open_block(model_->height_at(current.row()));
          });

  header_ = new QPlainTextEdit(this);
  header_->setReadOnly(true);
  header_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  txs_ = new QTableWidget(0, 4, this);
  txs_->setObjectName("txTable");
  txs_->setHorizontalHeaderLabels({"#", "Sender", "Nonce / fee", "What"});
  txs_->horizontalHeader()->setStretchLastSection(true);
  txs_->setSelectionBehavior(QAbstractItemView::SelectRows);
  txs_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  txs_->verticalHeader()->hide();

  genesis_label_ = new QLabel("no genesis file chosen", this);
  verdict_ = new QLabel(this);
  verdict_->setObjectName("verdict");
  verdict_->setWordWrap(true);
  verdict_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  QHBoxLayout* bar = node_bar(this, node_box_);
  auto button = [&](const QString& text, const QString& tip, auto slot) {
    add_button(bar, this, text, tip, slot);
  };
  button("&Head", "Go to the newest block", [this] { refresh_head(); });
  button("&Genesis file…", "The network's genesis.json: whose signatures count", [this] {
    const QString p = QFileDialog::getOpenFileName(this, "Genesis file", {}, "Genesis (*.json)");
    if (!p.isEmpty()) set_genesis_file(p);
  });
  button("Verify &certificate", "Check the block's QC locally",
         [this] { verify_current_certificate(); });
  button("Verify &inclusion", "Prove the selected transaction is in the block",
         [this] { verify_current_transaction(txs_->currentRow()); });
  bar->addWidget(genesis_label_, 1);

  auto* right = new QSplitter(Qt::Vertical, this);
  right->addWidget(header_);
  right->addWidget(txs_);
  auto* split = new QSplitter(this);
  split->addWidget(blocks_);
  split->addWidget(right);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(split, 1);
  layout->addWidget(verdict_);

  connect(session, &NetworkSession::event_received, this, [this](int n, const v1::Event& e) {
    if (n == node() && e.has_block() && e.block().header().height() > model_->head()) {
      model_->set_head(e.block().header().height());
      model_->set_committed(e.block());
      emit head_changed(model_->head());
    }
  });
}

int LedgerView::node() const { return std::max(0, node_box_->currentIndex()); }

QString LedgerView::verdict_text() const { return verdict_->text(); }

void LedgerView::refresh_head() {
  if (session_->node_count() == 0) return;
  session_->api(node()).ledger_head(this, [this](const NodeAnswer<v1::LedgerHead>& head) {
    if (!head.ok()) {
      show_verdict({false, "cannot read the head: " + head.error});
      return;
    }
    model_->set_head(head->has_block() ? head->header().height() : 0);
    emit head_changed(model_->head());
  });
}

void LedgerView::open_block(std::uint64_t height) {
  session_->api(node()).block(height, this, [this, height](const NodeAnswer<v1::Block>& b) {
    if (!b.ok()) {
      show_verdict({false, QString("cannot read block %1: %2").arg(height).arg(b.error)});
      return;
    }
    show_block(*b);
    emit block_opened(height);
  });
}

void LedgerView::show_block(const v1::Block& b) {
  block_ = b;
  model_->set_block(b);
  const v1::BlockHeader& h = b.header();
  QString t;
  t += QString("height       %1\nhash         %2\nprev_hash    %3\n")
           .arg(h.height())
           .arg(hex(b.hash()), hex(h.prev_hash()));
  t += QString("tx_root      %1 (%2 txs)\nmerkle_root  %3 (%4 readings)\nstate_root   %5\n")
           .arg(hex(h.tx_root()))
           .arg(h.tx_count())
           .arg(hex(h.merkle_root()))
           .arg(h.reading_count())
           .arg(hex(h.state_root()));
  t +=
      QString("producer     %1, view %2\n").arg(QString::fromStdString(h.producer())).arg(h.view());
  if (b.has_qc()) {
    QStringList signers;
    for (const auto& s : b.qc().signatures()) signers << QString::number(s.validator());
    t += QString("certificate  view %1, %2 signatures by validators %3\n")
             .arg(b.qc().view())
             .arg(b.qc().signatures_size())
             .arg(signers.join(", "));
  } else {
    t += "certificate  none\n";
  }
  header_->setPlainText(t);
  txs_->setRowCount(b.transactions_size());
  for (int i = 0; i < b.transactions_size(); ++i) {
    const v1::Transaction& tx = b.transactions(i);
    txs_->setItem(i, 0, new QTableWidgetItem(QString::number(i)));
    txs_->setItem(i, 1, new QTableWidgetItem(hex(tx.sender(), 16)));
    txs_->setItem(i, 2, new QTableWidgetItem(QString("%1 / %2").arg(tx.nonce()).arg(tx.fee())));
    txs_->setItem(i, 3, new QTableWidgetItem(tx_kind(tx)));
  }
  verdict_->clear();
}

bool LedgerView::set_genesis_file(const QString& path) {
  QString why;
  validators_ = load_validators(path, &why);
  if (!validators_) {
    genesis_label_->setText("no usable genesis file");
    show_verdict({false, "genesis file refused: " + why});
    return false;
  }
  genesis_label_->setText(QString("genesis: %1 (chain %2, %3 validators)")
                              .arg(path, QString::fromStdString(validators_->chain_id()))
                              .arg(validators_->size()));
  return true;
}

Verdict LedgerView::verify_current_certificate() {
  Verdict v;
  if (!block_) {
    v = {false, "open a block first"};
  } else if (!validators_) {
    v = {false,
         "choose the network's genesis file first: it names the validators whose "
         "signatures count"};
  } else {
    v = verify_certificate(*block_, *validators_);
  }
  show_verdict(v);
  return v;
}

Verdict LedgerView::verify_current_transaction(int index) {
  Verdict v =
      block_ ? verify_tx_inclusion(*block_, index).verdict : Verdict{false, "open a block first"};
  show_verdict(v);
  return v;
}

void LedgerView::show_verdict(const Verdict& v) {
  verdict_->setText(v.text);
  verdict_->setStyleSheet(v.valid ? "color: darkgreen; font-weight: bold"
                                  : "color: red; font-weight: bold");
}

}  // namespace itc::studio
