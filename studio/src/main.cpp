// itc-studio: configure and monitor IoT Chain nodes and networks.
//   itc-studio                                  the saved connections (Connection menu)
//   itc-studio --connect NAME                   open a saved connection
//   itc-studio --url URL --token-file FILE ...  open nodes directly (repeat both per node)
//     [--ca FILE | --pin SHA256]                 https: the CA or the certificate's fingerprint
//                                               (once for all nodes, or once per --url)
//   --screenshot-dir DIR [--screenshot-settle SECONDS] [--genesis FILE] [--owner-key FILE]:
//                                               save a PNG of each view, quit
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QSettings>

#include "app/app_icon.hpp"
#include "app/main_window.hpp"
#include "app/screenshot_tour.hpp"

using namespace itc::studio;

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("IoT Chain");
  QApplication::setApplicationName("itc-studio");
  QApplication::setApplicationVersion(ITC_STUDIO_VERSION);
  // One style on every desktop; its palette is the desktop's (light or dark), which the
  // charts and state colours follow.
  QApplication::setStyle("Fusion");
  QApplication::setWindowIcon(app_icon());

  QCommandLineParser cli;
  cli.setApplicationDescription("IoT Chain Studio: configure and monitor nodes and networks");
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption connect_opt("connect", "Open the saved connection NAME.", "NAME");
  QCommandLineOption url_opt("url", "A node's admin URL (repeat for a network).", "URL");
  QCommandLineOption token_opt("token-file", "The admin.token of the --url at the same position.",
                               "FILE");
  QCommandLineOption shots_opt("screenshot-dir", "Save a PNG of each view into DIR, then quit.",
                               "DIR");
  QCommandLineOption settle_opt("screenshot-settle",
                                "Seconds of history before the first screenshot (default 8).",
                                "SECONDS", "8");
  QCommandLineOption genesis_opt("genesis", "Genesis file for the ledger view's QC check.", "FILE");
  QCommandLineOption key_opt("owner-key", "Owner key (PEM) for the devices view.", "FILE");
  QCommandLineOption ca_opt("ca", "https: the CA (PEM) that signed the node certificates.", "FILE");
  QCommandLineOption pin_opt(
      "pin", "https: the SHA-256 fingerprint the node's certificate must have.", "SHA256");
  cli.addOptions({connect_opt, url_opt, token_opt, ca_opt, pin_opt, shots_opt, settle_opt,
                  genesis_opt, key_opt});
  cli.process(app);

  ConnectionStore store;
  MainWindow window(&store);
  window.show();

  const QStringList urls = cli.values(url_opt), tokens = cli.values(token_opt);
  if (!urls.isEmpty()) {
    if (tokens.size() != urls.size()) {
      qCritical("give one --token-file per --url (%lld URLs, %lld token files)",
                static_cast<long long>(urls.size()), static_cast<long long>(tokens.size()));
      return 2;
    }
    const QStringList cas = cli.values(ca_opt), pins = cli.values(pin_opt);
    // One value for every node, or one per --url.
    auto nth = [&urls](const QStringList& values, qsizetype i) {
      return values.size() == urls.size() ? values[i] : values.value(0);
    };
    for (const QStringList* v : {&cas, &pins}) {
      if (v->size() > 1 && v->size() != urls.size()) {
        qCritical("give --ca and --pin once, or once per --url");
        return 2;
      }
    }
    Connection c;
    c.name = "command line";
    for (qsizetype i = 0; i < urls.size(); ++i) {
      QString why;
      QByteArray token = ConnectionStore::read_token_file(tokens[i], &why);
      if (token.isEmpty()) {
        qCritical("%s", qPrintable(why));
        return 2;
      }
      c.nodes.push_back({QUrl(urls[i]), token, nth(cas, i), nth(pins, i).toLatin1()});
    }
    window.open_connection(c);
  } else if (cli.isSet(connect_opt)) {
    if (!window.open_saved(cli.value(connect_opt))) return 2;
  } else if (QString last = QSettings().value("connections/last").toString(); !last.isEmpty()) {
    if (store.names().contains(last)) window.open_saved(last);
  }

  if (cli.isSet(shots_opt)) {
    window.resize(1280, 800);
    bool ok = false;
    const int settle_s = cli.value(settle_opt).toInt(&ok);
    if (!ok || settle_s < 0 || settle_s > 3600) {
      qCritical("--screenshot-settle takes whole seconds from 0 to 3600, not '%s'",
                qPrintable(cli.value(settle_opt)));
      return 2;
    }
    start_screenshot_tour(&window, {cli.value(shots_opt), cli.value(genesis_opt),
                                    cli.value(key_opt), settle_s * 1000});
  }
  return app.exec();
}
