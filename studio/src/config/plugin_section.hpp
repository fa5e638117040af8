// A plugin's `config:` section inside a node's YAML config text: finding it, and writing a
// form's values back into it as one flow mapping (`config: {lamps: 40, fleet_seed: "a"}`)
// while every other byte of the text stays as it was. Fields the form does not own
// (repeated, map and message fields, unknown keys) are kept from the section as it was,
// re-emitted in flow style.
// Thread safety: pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <QString>
#include <QStringList>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config_fields.hpp"

namespace itc::studio {

// A form's values: field name -> the value's YAML text, or nullopt for "not set" (the
// plugin's default). Fields missing from the map are not owned by the form.
using FormValues = std::map<std::string, std::optional<QString>>;

// The names under `plugins:` in file order; empty if the text does not parse.
QStringList plugin_names(const QString& yaml_text);

// Plugin `name`'s `config:` mapping in `yaml_text` (a null node if the entry has none).
// On failure returns nullopt and sets *error (the text does not parse, with its line; no
// such plugin).
std::optional<YAML::Node> plugin_section(const QString& yaml_text, const QString& name,
                                         QString* error);

// The flow mapping for a plugin's section: `base`'s keys in their order, those the form
// owns replaced by the form's value (or dropped if unset), the others kept; then the
// form's set fields that `base` lacks, in declaration order. A field without presence
// whose value is its zero value is left out unless `base` had it.
QString config_flow_mapping(const std::vector<ConfigField>& fields, const FormValues& values,
                            const YAML::Node& base);

// Replaces plugin `name`'s `config:` value in *yaml_text with `flow_mapping` (inserting a
// `config:` key after its `name:` if it had none); everything outside that value is kept
// byte for byte. The result is parsed again and must hold exactly `flow_mapping` as the
// plugin's section. On failure *yaml_text is unchanged, *error says why and it returns
// false.
bool replace_plugin_config(QString* yaml_text, const QString& name, const QString& flow_mapping,
                           QString* error);

}  // namespace itc::studio
