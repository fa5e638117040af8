// Studio's application icon, drawn here at each size a desktop asks for: three linked
// blocks (a chain) on a rounded tile in the palette's accent colour.
// Thread safety: GUI thread only (QPainter on pixmaps).
#pragma once

#include <QIcon>

namespace itc::studio {

QIcon app_icon();

}  // namespace itc::studio
