#include "config/plugin_section.hpp"

#include <set>

namespace itc::studio {

namespace {

// Where a plugin's entry and its keys are in the text (yaml-cpp marks: 0-based lines,
// byte columns).
struct EntryMarks {
  YAML::Node entry;
  YAML::Mark name_key;
  YAML::Mark name_value;
  std::optional<YAML::Mark> config_key;
};

std::optional<YAML::Node> load(const QString& yaml_text, QString* error) {
  try {
    return YAML::Load(yaml_text.toStdString());
  } catch (const YAML::Exception& e) {
    if (error) {
      *error = QString("the YAML does not parse (line %1, column %2): %3")
                   .arg(e.mark.line + 1)
                   .arg(e.mark.column + 1)
                   .arg(QString::fromStdString(e.msg));
    }
    return std::nullopt;
  }
}

std::optional<EntryMarks> find_entry(const YAML::Node& root, const QString& name, QString* error) {
  const YAML::Node plugins = root.IsMap() ? root["plugins"] : YAML::Node();
  if (plugins.IsSequence()) {
    for (const YAML::Node& item : plugins) {
      if (!item.IsMap()) continue;
      EntryMarks m;
      bool named = false;
      for (auto it = item.begin(); it != item.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
        if (key == "name" && it->second.IsScalar() &&
            QString::fromStdString(it->second.Scalar()) == name) {
          named = true;
          m.name_key = it->first.Mark();
          m.name_value = it->second.Mark();
        } else if (key == "config") {
          m.config_key = it->first.Mark();
        }
      }
      if (!named) continue;
      m.entry = item;
      return m;
    }
  }
  if (error) *error = QString("no plugin named \"%1\" under plugins: in this YAML").arg(name);
  return std::nullopt;
}

// The number of characters in the first `bytes` UTF-8 bytes of `line`.
int chars_before(const QString& line, int bytes) {
  return static_cast<int>(QString::fromUtf8(line.toUtf8().left(bytes)).size());
}

int indentation(const QString& line) {
  int n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

bool blank_or_comment(const QString& line) {
  const QString t = line.trimmed();
  return t.isEmpty() || t.startsWith('#');
}

void emit_flow(YAML::Emitter& out) {
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
}

// `node` as a one-line flow collection, for comparing what two texts mean.
std::string canonical(const YAML::Node& node) {
  YAML::Emitter out;
  emit_flow(out);
  out << node;
  return out.c_str();
}

}  // namespace

QStringList plugin_names(const QString& yaml_text) {
  QStringList names;
  const std::optional<YAML::Node> root = load(yaml_text, nullptr);
  if (!root || !root->IsMap() || !(*root)["plugins"].IsSequence()) return names;
  for (const YAML::Node& item : (*root)["plugins"]) {
    if (item.IsMap() && item["name"].IsScalar()) {
      names << QString::fromStdString(item["name"].Scalar());
    }
  }
  return names;
}

std::optional<YAML::Node> plugin_section(const QString& yaml_text, const QString& name,
                                         QString* error) {
  const std::optional<YAML::Node> root = load(yaml_text, error);
  if (!root) return std::nullopt;
  const std::optional<EntryMarks> m = find_entry(*root, name, error);
  if (!m) return std::nullopt;
  const YAML::Node config = m->entry["config"];
  return config.IsDefined() ? YAML::Clone(config) : YAML::Node(YAML::NodeType::Null);
}

QString config_flow_mapping(const std::vector<ConfigField>& fields, const FormValues& values,
                            const YAML::Node& base) {
  auto owned = [&](const std::string& key) -> const ConfigField* {
    if (values.find(key) == values.end()) return nullptr;
    for (const ConfigField& f : fields) {
      if (f.name == key && f.in_form()) return &f;
    }
    return nullptr;
  };
  YAML::Emitter out;
  emit_flow(out);
  auto emit_value = [&](const ConfigField& f, bool base_has_it) {
    const std::optional<QString>& value = values.at(f.name);
    if (!value) return;
    if (!f.has_presence && !base_has_it && *value == f.zero_value()) return;
    out << YAML::Key << f.name << YAML::Value;
    const std::string text = value->toStdString();
    // Strings are always quoted so that "null", "yes" or "0x1" stay strings.
    if (f.kind == ConfigField::Kind::kString || f.kind == ConfigField::Kind::kBytes) {
      out << YAML::DoubleQuoted << text;
    } else {
      out << text;
    }
  };
  out << YAML::BeginMap;
  std::set<std::string> seen;
  if (base.IsMap()) {
    for (auto it = base.begin(); it != base.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      seen.insert(key);
      if (const ConfigField* f = owned(key)) {
        emit_value(*f, true);
      } else {
        out << YAML::Key << it->first << YAML::Value << it->second;
      }
    }
  }
  for (const ConfigField& f : fields) {
    if (owned(f.name) && !seen.count(f.name)) emit_value(f, false);
  }
  out << YAML::EndMap;
  return QString::fromStdString(out.c_str());
}

bool replace_plugin_config(QString* yaml_text, const QString& name, const QString& flow_mapping,
                           QString* error) {
  const std::optional<YAML::Node> root = load(*yaml_text, error);
  if (!root) return false;
  const std::optional<EntryMarks> m = find_entry(*root, name, error);
  if (!m) return false;
  if (m->entry.Style() == YAML::EmitterStyle::Flow) {
    if (error) {
      *error = QString(
                   "plugin \"%1\" is written as a flow mapping ({name: ...}); edit its "
                   "config in the YAML text")
                   .arg(name);
    }
    return false;
  }
  QStringList lines = yaml_text->split('\n');
  QString replaced;
  if (m->config_key) {
    // The value is the rest of the key's line and every following line indented deeper
    // than the key (trailing blank and comment lines stay where they are).
    const int first = m->config_key->line;
    const int column = chars_before(lines[first], m->config_key->column);
    int last = first;
    for (int l = first + 1; l < lines.size(); ++l) {
      if (blank_or_comment(lines[l])) continue;
      if (indentation(lines[l]) <= column) break;
      last = l;
    }
    const QString cr = lines[last].endsWith('\r') ? "\r" : "";
    lines[first] = lines[first].left(column) + "config: " + flow_mapping + cr;
    lines.erase(lines.begin() + first + 1, lines.begin() + last + 1);
  } else {
    const int at = m->name_value.line + 1;
    const int column = chars_before(lines[m->name_key.line], m->name_key.column);
    const QString cr = lines[at - 1].endsWith('\r') ? "\r" : "";
    lines.insert(at, QString(column, ' ') + "config: " + flow_mapping + cr);
  }
  replaced = lines.join('\n');

  // The new text must parse and hold exactly the new section for that plugin.
  QString why;
  const std::optional<YAML::Node> now = plugin_section(replaced, name, &why);
  const std::optional<YAML::Node> wanted = load(flow_mapping, nullptr);
  if (!now || !wanted || canonical(*now) != canonical(*wanted)) {
    if (error) {
      *error = QString(
                   "cannot write plugin \"%1\"'s config into this YAML's layout%2; edit it "
                   "in the YAML text")
                   .arg(name, why.isEmpty() ? QString() : " (" + why + ")");
    }
    return false;
  }
  *yaml_text = replaced;
  return true;
}

}  // namespace itc::studio
