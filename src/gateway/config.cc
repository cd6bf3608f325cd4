#include "gateway/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "gateway/config_edge.h"
#include "gateway/config_yaml.h"

namespace callpath::gateway {
namespace {

// Configs are small; a bound keeps a hostile file from costing memory.
constexpr size_t kMaxConfigBytes = 1 << 20;

using namespace config_yaml;

Status ParseRetries(const Errors& err, const YAML::Node& node, const std::string& what,
                    RetryConfig& out) {
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, node, what));
  CALLPATH_RETURN_IF_ERROR(
      CheckKeys(err, node, what,
                {"attempts", "on", "backoff", "non_idempotent", "budget_percent", "min_retry_concurrency"}));
  for (const auto& kv : node) {
    const std::string key = Scalar(kv.first);
    const YAML::Node& v = kv.second;
    const std::string name = what + "." + key;
    if (key == "attempts") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, v, name, 1, 10, out.attempts));
    } else if (key == "backoff") {
      CALLPATH_RETURN_IF_ERROR(ReadDuration(err, v, name, out.backoff));
    } else if (key == "non_idempotent") {
      CALLPATH_RETURN_IF_ERROR(ReadBool(err, v, name, out.non_idempotent));
    } else if (key == "budget_percent") {
      int64_t percent = 0;
      CALLPATH_RETURN_IF_ERROR(ReadInt(err, v, name, 0, 100, percent));
      out.budget_percent = static_cast<double>(percent);
    } else if (key == "min_retry_concurrency") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, v, name, 0, 1'000'000, out.min_retry_concurrency));
    } else if (key == "on") {
      if (!v.IsSequence()) return err.At(v, name + " must be a list, e.g. [503, connect-failure]");
      for (const auto& item : v) {
        std::string s = Scalar(item);
        if (s == "connect-failure" || s == "connect_failure") {
          out.on_connect_failure = true;
        } else if (s == "timeout") {
          out.on_timeout = true;
        } else if (s == "5xx") {
          for (int c = 500; c <= 599; ++c) out.on_status.push_back(c);
        } else {
          int64_t code = 0;
          Status st = ReadInt(err, item, name + " entry", 100, 599, code);
          if (!st.ok()) {
            return err.At(item, name + ": unknown retry condition '" + s +
                                    "' (use a status code, 5xx, connect-failure or timeout)");
          }
          out.on_status.push_back(static_cast<int>(code));
        }
      }
    }
  }
  return Status::Ok();
}

Status ParseRoute(const Errors& err, const YAML::Node& node, size_t index, Route& out,
                  std::vector<YAML::Node>& upstream_refs) {
  const std::string what = "routes[" + std::to_string(index) + "]";
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, node, what));
  CALLPATH_RETURN_IF_ERROR(CheckKeys(err, node, what,
                                     {"match", "upstream", "timeout", "retries", "strip_prefix"}));
  bool have_match = false;
  for (const auto& kv : node) {
    const std::string key = Scalar(kv.first);
    const YAML::Node& v = kv.second;
    const std::string name = what + "." + key;
    if (key == "match") {
      have_match = true;
      CALLPATH_RETURN_IF_ERROR(ExpectMap(err, v, name));
      CALLPATH_RETURN_IF_ERROR(CheckKeys(err, v, name, {"path_prefix", "host"}));
      for (const auto& m : v) {
        const std::string mkey = Scalar(m.first);
        if (mkey == "path_prefix") {
          CALLPATH_RETURN_IF_ERROR(ReadString(err, m.second, name + ".path_prefix", out.path_prefix));
          if (out.path_prefix.empty() || out.path_prefix[0] != '/') {
            return err.At(m.second, name + ".path_prefix must start with '/'");
          }
        } else {
          CALLPATH_RETURN_IF_ERROR(ReadString(err, m.second, name + ".host", out.host));
          for (char c : out.host) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
              return err.At(m.second, name + ".host must be a host name without port, got '" +
                                          out.host + "'");
            }
          }
          std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                         [](unsigned char c) { return std::tolower(c); });
        }
      }
    } else if (key == "upstream") {
      CALLPATH_RETURN_IF_ERROR(ReadString(err, v, name, out.upstream));
      upstream_refs.push_back(v);
    } else if (key == "timeout") {
      CALLPATH_RETURN_IF_ERROR(ReadDuration(err, v, name, out.timeout));
      if (out.timeout.count() == 0) return err.At(v, name + " must be positive");
    } else if (key == "retries") {
      CALLPATH_RETURN_IF_ERROR(ParseRetries(err, v, name, out.retries));
    } else if (key == "strip_prefix") {
      std::string s = Scalar(v);
      if (s == "true" || s == "yes") {
        out.strip_prefix = "\x01";  // resolved to path_prefix below, once it is known
      } else if (s == "false" || s == "no" || s.empty()) {
        out.strip_prefix.clear();
      } else if (s[0] == '/') {
        out.strip_prefix = s;
      } else {
        return err.At(v, name + " must be true, false or a path starting with '/'");
      }
    }
  }
  if (!have_match || out.path_prefix.empty()) {
    return err.At(node, what + " needs match.path_prefix");
  }
  if (out.upstream.empty()) return err.At(node, what + " needs an upstream");
  if (out.strip_prefix == "\x01") out.strip_prefix = out.path_prefix;
  return Status::Ok();
}

Status ParseHealthCheck(const Errors& err, const YAML::Node& node, const std::string& what,
                        HealthCheckConfig& out) {
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, node, what));
  CALLPATH_RETURN_IF_ERROR(CheckKeys(err, node, what,
                                     {"path", "interval", "timeout", "unhealthy_after",
                                      "healthy_after", "enabled"}));
  out.enabled = true;
  for (const auto& kv : node) {
    const std::string key = Scalar(kv.first);
    const YAML::Node& v = kv.second;
    const std::string name = what + "." + key;
    if (key == "path") {
      CALLPATH_RETURN_IF_ERROR(ReadString(err, v, name, out.path));
      if (out.path.empty() || out.path[0] != '/') return err.At(v, name + " must start with '/'");
    } else if (key == "interval") {
      CALLPATH_RETURN_IF_ERROR(ReadDuration(err, v, name, out.interval));
      if (out.interval.count() == 0) return err.At(v, name + " must be positive");
    } else if (key == "timeout") {
      CALLPATH_RETURN_IF_ERROR(ReadDuration(err, v, name, out.timeout));
      if (out.timeout.count() == 0) return err.At(v, name + " must be positive");
    } else if (key == "unhealthy_after") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, v, name, 1, 100, out.unhealthy_after));
    } else if (key == "healthy_after") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, v, name, 1, 100, out.healthy_after));
    } else if (key == "enabled") {
      CALLPATH_RETURN_IF_ERROR(ReadBool(err, v, name, out.enabled));
    }
  }
  return Status::Ok();
}

Status ParseUpstream(const Errors& err, const YAML::Node& name_node, const YAML::Node& node,
                     UpstreamConfig& out) {
  out.name = Scalar(name_node);
  if (out.name.empty()) return err.At(name_node, "upstream names must be non-empty strings");
  const std::string what = "upstreams." + out.name;
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, node, what));
  CALLPATH_RETURN_IF_ERROR(
      CheckKeys(err, node, what, {"endpoints", "health_check", "max_idle_connections", "tls"}));
  for (const auto& kv : node) {
    const std::string key = Scalar(kv.first);
    const YAML::Node& v = kv.second;
    const std::string name = what + "." + key;
    if (key == "endpoints") {
      if (!v.IsSequence()) return err.At(v, name + " must be a list of host:port");
      for (const auto& e : v) {
        HostPort hp;
        CALLPATH_RETURN_IF_ERROR(ReadEndpoint(err, e, name + " entry", hp, out.tls));
        if (std::find(out.endpoints.begin(), out.endpoints.end(), hp) != out.endpoints.end()) {
          return err.At(e, name + ": duplicate endpoint " + hp.ToString());
        }
        out.endpoints.push_back(std::move(hp));
      }
    } else if (key == "health_check") {
      CALLPATH_RETURN_IF_ERROR(ParseHealthCheck(err, v, name, out.health_check));
    } else if (key == "max_idle_connections") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, v, name, 0, 100000, out.max_idle_connections));
    } else if (key == "tls") {
      CALLPATH_RETURN_IF_ERROR(ParseUpstreamTls(err, v, name, out.tls));
    }
  }
  if (out.endpoints.empty()) return err.At(node, what + " needs at least one endpoint");
  if (out.tls.enabled && out.health_check.enabled) {
    return err.At(node, what + ": health checks over TLS are not supported yet; remove health_check");
  }
  return Status::Ok();
}

// "propagators": a list, or one comma-separated string as in
// OTEL_PROPAGATORS; names are trimmed and lower-cased.
Status ParsePropagators(const Errors& err, const YAML::Node& v, std::vector<std::string>& out) {
  if (v.IsScalar()) {
    std::stringstream ss(v.Scalar());
    for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  } else if (v.IsSequence()) {
    for (const auto& p : v) {
      std::string s;
      CALLPATH_RETURN_IF_ERROR(ReadString(err, p, "propagators entry", s));
      out.push_back(s);
    }
  } else {
    return err.At(v, "propagators must be a list, e.g. [tracecontext, baggage]");
  }
  static const std::set<std::string> kKnown = {"tracecontext", "baggage", "b3", "b3multi",
                                               "jaeger", "xtraceid", "none"};
  for (auto& p : out) {
    p.erase(0, p.find_first_not_of(" \t"));
    p.erase(p.find_last_not_of(" \t") + 1);
    std::transform(p.begin(), p.end(), p.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (!kKnown.count(p)) {
      return err.At(v, "unknown propagator '" + p +
                           "' (known: tracecontext, baggage, b3, b3multi, jaeger, xtraceid, none)");
    }
  }
  return Status::Ok();
}

Status ParseTracing(const Errors& err, const YAML::Node& v, TracingConfig& out) {
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, v, "tracing"));
  CALLPATH_RETURN_IF_ERROR(CheckKeys(err, v, "tracing", {"exporter"}));
  if (!v["exporter"]) return Status::Ok();
  std::string e = Scalar(v["exporter"]);
  if (e == "env" || e == "otlp") {
    out.exporter = TracingConfig::Exporter::kEnvironment;
  } else if (e == "discard") {
    out.exporter = TracingConfig::Exporter::kDiscard;
  } else if (e == "none") {
    out.exporter = TracingConfig::Exporter::kNone;
  } else {
    return err.At(v["exporter"], "tracing.exporter must be env, discard or none, got '" + e + "'");
  }
  return Status::Ok();
}

Status ParseAccessLog(const Errors& err, const YAML::Node& v, AccessLogConfig& out) {
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, v, "access_log"));
  CALLPATH_RETURN_IF_ERROR(CheckKeys(err, v, "access_log", {"enabled", "path"}));
  if (v["enabled"]) {
    CALLPATH_RETURN_IF_ERROR(ReadBool(err, v["enabled"], "access_log.enabled", out.enabled));
  }
  if (v["path"]) {
    CALLPATH_RETURN_IF_ERROR(ReadString(err, v["path"], "access_log.path", out.path));
  }
  return Status::Ok();
}

// `upstream_refs` gets each route's upstream node, for errors found once
// every upstream is known.
Status ParseRoutes(const Errors& err, const YAML::Node& v, std::vector<Route>& out,
                   std::vector<YAML::Node>& upstream_refs) {
  if (!v.IsSequence()) return err.At(v, "routes must be a list");
  size_t i = 0;
  for (const auto& r : v) {
    Route route;
    CALLPATH_RETURN_IF_ERROR(ParseRoute(err, r, i++, route, upstream_refs));
    out.push_back(std::move(route));
  }
  return Status::Ok();
}

Status ParseUpstreams(const Errors& err, const YAML::Node& v,
                      std::map<std::string, UpstreamConfig>& out) {
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, v, "upstreams"));
  for (const auto& u : v) {
    UpstreamConfig up;
    CALLPATH_RETURN_IF_ERROR(ParseUpstream(err, u.first, u.second, up));
    if (out.count(up.name)) return err.At(u.first, "duplicate upstream '" + up.name + "'");
    out.emplace(up.name, std::move(up));
  }
  return Status::Ok();
}

// Every route names a defined upstream; `upstream_refs` from ParseRoutes.
Status CheckUpstreamRefs(const Errors& err, const Config& cfg,
                         const std::vector<YAML::Node>& upstream_refs) {
  size_t ref = 0;
  for (const Route& r : cfg.routes) {
    if (!cfg.upstreams.count(r.upstream)) {
      std::string known;
      for (const auto& [name, _] : cfg.upstreams) known += (known.empty() ? "" : ", ") + name;
      return err.At(upstream_refs[ref], "route " + r.path_prefix + " names unknown upstream '" +
                                            r.upstream + "' (defined: " +
                                            (known.empty() ? "none" : known) + ")");
    }
    ++ref;
  }
  return Status::Ok();
}

Status ParseRoot(const Errors& err, const YAML::Node& root, Config& cfg) {
  if (!root.IsMap()) return err.At(root, "the config must be a mapping (key: value)");
  CALLPATH_RETURN_IF_ERROR(CheckKeys(err, root, "the top level",
                                     {"listen", "admin_listen", "threads", "service_name",
                                      "propagators", "tracing", "access_log", "max_body_bytes",
                                      "max_inflight_bytes", "client_idle_timeout", "routes",
                                      "upstreams", "edge", "admin_keys_file", "tls"}));
  std::vector<YAML::Node> upstream_refs;
  bool have_listen = false;
  for (const auto& kv : root) {
    const std::string key = Scalar(kv.first);
    const YAML::Node& v = kv.second;
    if (key == "listen") {
      have_listen = true;
      CALLPATH_RETURN_IF_ERROR(ReadHostPort(err, v, key, cfg.listen));
    } else if (key == "admin_listen") {
      CALLPATH_RETURN_IF_ERROR(ReadHostPort(err, v, key, cfg.admin_listen));
    } else if (key == "threads") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, v, key, 0, 1024, cfg.threads));
    } else if (key == "service_name") {
      CALLPATH_RETURN_IF_ERROR(ReadString(err, v, key, cfg.service_name));
    } else if (key == "propagators") {
      CALLPATH_RETURN_IF_ERROR(ParsePropagators(err, v, cfg.propagators));
    } else if (key == "tracing") {
      CALLPATH_RETURN_IF_ERROR(ParseTracing(err, v, cfg.tracing));
    } else if (key == "access_log") {
      CALLPATH_RETURN_IF_ERROR(ParseAccessLog(err, v, cfg.access_log));
    } else if (key == "max_body_bytes") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, v, key, 0, int64_t{1} << 32, cfg.max_body_bytes));
    } else if (key == "max_inflight_bytes") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, v, key, 0, int64_t{1} << 50, cfg.max_inflight_bytes));
    } else if (key == "client_idle_timeout") {
      CALLPATH_RETURN_IF_ERROR(ReadDuration(err, v, key, cfg.client_idle_timeout));
    } else if (key == "routes") {
      CALLPATH_RETURN_IF_ERROR(ParseRoutes(err, v, cfg.routes, upstream_refs));
    } else if (key == "upstreams") {
      CALLPATH_RETURN_IF_ERROR(ParseUpstreams(err, v, cfg.upstreams));
    } else if (key == "edge") {
      CALLPATH_RETURN_IF_ERROR(ParseEdge(err, v, cfg.edge));
    } else if (key == "admin_keys_file") {
      CALLPATH_RETURN_IF_ERROR(ReadString(err, v, key, cfg.admin_keys_file));
    } else if (key == "tls") {
      CALLPATH_RETURN_IF_ERROR(ParseListenerTls(err, v, cfg.tls));
    }
  }
  if (!have_listen) return err.Plain("'listen' is required (e.g. listen: 127.0.0.1:8080)");
  if (cfg.routes.empty()) return err.Plain("at least one route is required under 'routes'");
  CALLPATH_RETURN_IF_ERROR(CheckUpstreamRefs(err, cfg, upstream_refs));
  if (cfg.listen.port != 0 && cfg.admin_listen == cfg.listen) {
    return err.Plain("admin_listen must differ from listen");
  }
  return Status::Ok();
}

}  // namespace

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<Millis> ParseDuration(std::string_view text) {
  const std::string_view original = text;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  auto bad = [&] {
    return InvalidArgument("bad duration '" + std::string(original) +
                           "' (use e.g. 500ms, 2s, 1.5s, 1m)");
  };
  size_t n = 0;
  while (n < text.size() && (std::isdigit(static_cast<unsigned char>(text[n])) || text[n] == '.')) {
    ++n;
  }
  if (n == 0 || n > 24) return bad();
  std::string number(text.substr(0, n));
  std::string_view unit = text.substr(n);
  double value = 0;
  {
    char* end = nullptr;
    value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !std::isfinite(value)) return bad();
  }
  double ms_per_unit;
  if (unit.empty() || unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m") {
    ms_per_unit = 60000;
  } else if (unit == "h") {
    ms_per_unit = 3600000;
  } else if (unit == "us") {
    ms_per_unit = 0.001;
  } else {
    return bad();
  }
  double ms = std::ceil(value * ms_per_unit);
  if (ms > 86400000.0) {
    return InvalidArgument("duration '" + std::string(original) + "' is longer than a day");
  }
  return Millis(static_cast<int64_t>(ms));
}

Result<HostPort> ParseHostPort(std::string_view text) {
  HostPort out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgument("bad address '" + std::string(text) + "' (use [v6addr]:port)");
    }
    out.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgument("address '" + std::string(text) + "' needs a port (host:port)");
    }
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return InvalidArgument("bad address '" + std::string(text) + "' (IPv6: [addr]:port)");
    }
    port = text.substr(colon + 1);
  }
  if (out.host.empty()) {
    return InvalidArgument("address '" + std::string(text) + "' has no host");
  }
  if (out.host.find_first_of("[]/ \t") != std::string::npos) {
    return InvalidArgument("bad host in '" + std::string(text) + "'");
  }
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value > 65535) {
    return InvalidArgument("bad port in '" + std::string(text) + "'");
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

Result<Config> ParseConfig(std::string_view yaml, std::string_view source) {
  Errors err(source);
  if (yaml.size() > kMaxConfigBytes) return err.Plain("config is larger than 1 MiB");
  Config cfg;
  cfg.source = std::string(source);
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root || root.IsNull()) return err.Plain("config is empty");
    CALLPATH_RETURN_IF_ERROR(ParseRoot(err, root, cfg));
  } catch (const YAML::Exception& e) {
    std::string where(source);
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return InvalidArgument(where + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return err.Plain(std::string("invalid config: ") + e.what());
  }
  return cfg;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot open config file '" + path + "'");
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) break;
  }
  if (in.bad()) return InvalidArgument("cannot read config file '" + path + "'");
  return ParseConfig(text, path);
}

}  // namespace callpath::gateway
