// The `edge` section of the gateway's config: trusted clients, the baggage
// allow-list and the size caps on propagation fields.
#include "gateway/config_edge.h"

#include <fstream>
#include <sstream>

namespace callpath::gateway {

using namespace config_yaml;

Status ParseTrustedClients(std::string_view comma_separated, std::vector<IpNetwork>& out) {
  out.clear();
  std::stringstream ss{std::string(comma_separated)};
  for (std::string item; std::getline(ss, item, ',');) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    Result<IpNetwork> net = ParseIpNetwork(item);
    if (!net.ok()) return net.status();
    out.push_back(*net);
  }
  return Status::Ok();
}

namespace {

Status ParseNetworks(const Errors& err, const YAML::Node& v, const std::string& what,
                     std::vector<IpNetwork>& out) {
  if (!v.IsSequence()) return err.At(v, what + " must be a list, e.g. [10.0.0.0/8, ::1]");
  for (const auto& item : v) {
    Result<IpNetwork> net = ParseIpNetwork(Scalar(item));
    if (!net.ok()) return err.At(item, what + ": " + net.status().message());
    out.push_back(*net);
  }
  return Status::Ok();
}

Status ParseKeyList(const Errors& err, const YAML::Node& v, const std::string& what,
                    std::vector<std::string>& out) {
  if (!v.IsSequence()) return err.At(v, what + " must be a list of baggage keys");
  for (const auto& item : v) {
    std::string key;
    CALLPATH_RETURN_IF_ERROR(ReadString(err, item, what + " entry", key));
    if (key.empty()) return err.At(item, what + ": empty key");
    out.push_back(std::move(key));
  }
  return Status::Ok();
}

}  // namespace

Status ParseEdge(const Errors& err, const YAML::Node& v, EdgeConfig& out) {
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, v, "edge"));
  CALLPATH_RETURN_IF_ERROR(CheckKeys(
      err, v, "edge",
      {"trusted_clients", "baggage_allow", "max_traceparent_bytes", "max_tracestate_bytes",
       "max_tracestate_members", "max_baggage_bytes", "max_baggage_entries"}));
  for (const auto& kv : v) {
    const std::string key = Scalar(kv.first);
    const YAML::Node& node = kv.second;
    const std::string name = "edge." + key;
    if (key == "trusted_clients") {
      CALLPATH_RETURN_IF_ERROR(ParseNetworks(err, node, name, out.trusted_clients));
    } else if (key == "baggage_allow") {
      CALLPATH_RETURN_IF_ERROR(ParseKeyList(err, node, name, out.baggage_allow));
    } else if (key == "max_traceparent_bytes") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, node, name, 55, 4096, out.max_traceparent_bytes));
    } else if (key == "max_tracestate_bytes") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, node, name, 0, 65536, out.max_tracestate_bytes));
    } else if (key == "max_tracestate_members") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, node, name, 0, 32, out.max_tracestate_members));
    } else if (key == "max_baggage_bytes") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, node, name, 0, 65536, out.max_baggage_bytes));
    } else if (key == "max_baggage_entries") {
      CALLPATH_RETURN_IF_ERROR(ReadIntAs(err, node, name, 0, 1024, out.max_baggage_entries));
    }
  }
  return Status::Ok();
}

Status ParseUpstreamTls(const Errors& err, const YAML::Node& v, const std::string& what,
                        UpstreamTlsConfig& out) {
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, v, what));
  CALLPATH_RETURN_IF_ERROR(CheckKeys(err, v, what, {"ca_file", "server_name"}));
  out.enabled = true;
  if (v["ca_file"]) {
    CALLPATH_RETURN_IF_ERROR(ReadString(err, v["ca_file"], what + ".ca_file", out.ca_file));
    if (!out.ca_file.empty() && !std::ifstream(out.ca_file)) {
      return err.At(v["ca_file"], what + ".ca_file: cannot read '" + out.ca_file + "'");
    }
  }
  if (v["server_name"]) {
    CALLPATH_RETURN_IF_ERROR(
        ReadString(err, v["server_name"], what + ".server_name", out.server_name));
  }
  return Status::Ok();
}

Status ParseListenerTls(const Errors& err, const YAML::Node& v, ListenerTlsConfig& out) {
  CALLPATH_RETURN_IF_ERROR(ExpectMap(err, v, "tls"));
  CALLPATH_RETURN_IF_ERROR(
      CheckKeys(err, v, "tls", {"cert_file", "key_file", "client_ca_file", "admin"}));
  if (v["cert_file"]) {
    CALLPATH_RETURN_IF_ERROR(ReadString(err, v["cert_file"], "tls.cert_file", out.cert_file));
  }
  if (v["key_file"]) {
    CALLPATH_RETURN_IF_ERROR(ReadString(err, v["key_file"], "tls.key_file", out.key_file));
  }
  if (v["client_ca_file"]) {
    CALLPATH_RETURN_IF_ERROR(
        ReadString(err, v["client_ca_file"], "tls.client_ca_file", out.client_ca_file));
  }
  if (v["admin"]) CALLPATH_RETURN_IF_ERROR(ReadBool(err, v["admin"], "tls.admin", out.admin));
  if (out.cert_file.empty() || out.key_file.empty()) {
    return err.At(v, "tls needs both cert_file and key_file");
  }
  return Status::Ok();
}

Status ReadEndpoint(const Errors& err, const YAML::Node& v, const std::string& what,
                    HostPort& out, UpstreamTlsConfig& tls) {
  std::string text = Scalar(v);
  bool https = false;
  if (text.rfind("https://", 0) == 0) {
    https = true;
    text.erase(0, 8);
  } else if (text.rfind("http://", 0) == 0) {
    text.erase(0, 7);
  }
  if (https) tls.enabled = true;
  Result<HostPort> hp = ParseHostPort(text);
  if (!hp.ok()) return err.At(v, what + ": " + hp.status().message());
  out = *hp;
  return Status::Ok();
}

}  // namespace callpath::gateway
