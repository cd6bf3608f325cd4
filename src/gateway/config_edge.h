// Parsers of the gateway config's security sections (edge policy), kept
// apart from config.cc's routing sections.
#pragma once

#include "gateway/config.h"
#include "gateway/config_yaml.h"

namespace callpath::gateway {

// The `edge` mapping into `out` (defaults kept for absent keys).
Status ParseEdge(const config_yaml::Errors& err, const YAML::Node& v, EdgeConfig& out);

}  // namespace callpath::gateway
