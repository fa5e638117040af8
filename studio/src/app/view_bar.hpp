// The row at the top of a view: "Node:" with the node chooser, then the view's buttons.
#pragma once

#include <QBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace itc::studio {

inline QHBoxLayout* node_bar(QWidget* owner, QWidget* node_box) {
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel("Node:", owner));
  bar->addWidget(node_box);
  return bar;
}

// A push button with a tooltip on `bar`; a click runs `slot` in `owner`'s context.
template <typename Slot>
QPushButton* add_button(QBoxLayout* bar, QWidget* owner, const QString& text, const QString& tip,
                        Slot slot) {
  auto* b = new QPushButton(text, owner);
  b->setToolTip(tip);
  QObject::connect(b, &QPushButton::clicked, owner, slot);
  bar->addWidget(b);
  return b;
}

}  // namespace itc::studio
