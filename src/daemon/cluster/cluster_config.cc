#include "daemon/cluster/cluster_config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>

#include "daemon/config.h"

namespace callpath::daemon::cluster {
namespace {

Status ReadMembers(const YAML::Node& node, std::vector<Member>* out) {
  if (!node.IsSequence()) return InvalidArgument("config key 'cluster.members' must be a list of {name, address}");
  out->clear();
  for (const YAML::Node& m : node) {
    if (!m.IsMap()) return InvalidArgument("config key 'cluster.members' must be a list of {name, address}");
    Member member;
    for (const auto& kv : m) {
      std::string field = kv.first.as<std::string>();
      std::string* target = field == "name" ? &member.name : field == "address" ? &member.address : nullptr;
      if (target == nullptr) return InvalidArgument("config key 'cluster.members." + field + "' is unknown (name, address)");
      try {
        *target = kv.second.as<std::string>();
      } catch (const std::exception&) {
        return InvalidArgument("config key 'cluster.members." + field + "' has the wrong type");
      }
    }
    out->push_back(std::move(member));
  }
  return Status::Ok();
}

Status ReadTls(const YAML::Node& node, ClusterConfig* out) {
  if (!node.IsMap()) return InvalidArgument("config key 'cluster.tls' must be a mapping {ca, cert, key}");
  for (const auto& kv : node) {
    std::string field = kv.first.as<std::string>();
    std::string* target = field == "ca" ? &out->tls_ca : field == "cert" ? &out->tls_cert
                          : field == "key" ? &out->tls_key : nullptr;
    if (target == nullptr) return InvalidArgument("config key 'cluster.tls." + field + "' is unknown (ca, cert, key)");
    try {
      *target = kv.second.as<std::string>();
    } catch (const std::exception&) {
      return InvalidArgument("config key 'cluster.tls." + field + "' has the wrong type");
    }
  }
  return Status::Ok();
}

Status ReadDuration(const YAML::Node& node, const std::string& key, uint64_t* seconds) {
  try {
    Result<uint64_t> d = ParseDurationSeconds(node.as<std::string>());
    if (!d.ok()) return InvalidArgument("config key 'cluster." + key + "': " + d.status().message());
    *seconds = d.value();
    return Status::Ok();
  } catch (const std::exception&) {
    return InvalidArgument("config key 'cluster." + key + "' has the wrong type");
  }
}

}  // namespace

Status ParseClusterConfig(const YAML::Node& node, ClusterConfig* out) {
  if (!node.IsMap()) return InvalidArgument("config key 'cluster' must be a mapping (docs/scale-out.md)");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    for (char& c : key) if (c == '-') c = '_';
    const YAML::Node& v = kv.second;
    Status s;
    try {
      if (key == "node") out->node = v.as<std::string>();
      else if (key == "members") s = ReadMembers(v, &out->members);
      else if (key == "virtual_nodes") out->virtual_nodes = v.as<uint32_t>();
      else if (key == "down_for") s = ReadDuration(v, key, &out->down_seconds);
      else if (key == "forward_timeout") s = ReadDuration(v, key, &out->forward_timeout_seconds);
      else if (key == "key_file") out->key_file = v.as<std::string>();
      else if (key == "tls") s = ReadTls(v, out);
      else return InvalidArgument("config key 'cluster." + key + "' is unknown (node, members, virtual_nodes, "
                                  "down_for, forward_timeout, key_file, tls)");
    } catch (const std::exception&) {
      return InvalidArgument("config key 'cluster." + key + "' has the wrong type");
    }
    CALLPATH_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

Status FinishClusterConfig(ClusterConfig* c) {
  if (!c->enabled()) {
    if (!c->node.empty()) return InvalidArgument("cluster: node '" + c->node + "' is set but cluster.members is empty");
    return Status::Ok();
  }
  if (c->members.size() > 64) return InvalidArgument("cluster.members: at most 64 members");
  if (c->node.empty()) return InvalidArgument("cluster: this node's name is not set (cluster.node or --cluster-node)");
  std::set<std::string> names;
  bool self = false;
  for (const Member& m : c->members) {
    if (m.name.empty() || m.address.empty()) return InvalidArgument("cluster.members: every member needs a name and an address");
    for (char ch : m.name) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') {
        return InvalidArgument("cluster.members: the name '" + m.name + "' may hold only A-Z a-z 0-9 - _ .");
      }
    }
    if (!names.insert(m.name).second) return InvalidArgument("cluster.members: the name '" + m.name + "' appears twice");
    std::string host;
    uint16_t port = 0;
    if (!SplitHostPort(m.address, host, port) || port == 0) {
      return InvalidArgument("cluster.members: '" + m.name + "' has address '" + m.address + "'; want host:port");
    }
    self = self || m.name == c->node;
  }
  if (!self) return InvalidArgument("cluster: this node '" + c->node + "' is not in cluster.members");
  if (c->virtual_nodes == 0 || c->virtual_nodes > 4096) return InvalidArgument("cluster.virtual_nodes must be 1..4096");
  if (c->down_seconds == 0) return InvalidArgument("cluster.down_for must be at least 1s");
  if (c->forward_timeout_seconds == 0) return InvalidArgument("cluster.forward_timeout must be at least 1s");
  if (c->tls_cert.empty() != c->tls_key.empty()) return InvalidArgument("cluster.tls needs both cert and key");
  if (!c->tls_cert.empty() && c->tls_ca.empty()) return InvalidArgument("cluster.tls: cert and key need ca (TLS to peers)");
  for (const std::string* file : {&c->tls_ca, &c->tls_cert, &c->tls_key}) {
    if (!file->empty() && !std::ifstream(*file)) return InvalidArgument("cluster.tls: cannot read " + *file);
  }
  if (!c->key_file.empty()) {
    std::ifstream in(c->key_file);
    if (!in) return InvalidArgument("cluster.key_file: cannot read " + c->key_file);
    std::getline(in, c->key);
    while (!c->key.empty() && (c->key.back() == '\r' || c->key.back() == ' ')) c->key.pop_back();
    if (c->key.empty()) return InvalidArgument("cluster.key_file: " + c->key_file + " holds no key");
  } else if (const char* env = std::getenv("CALLPATHD_CLUSTER_KEY"); env != nullptr && *env != '\0') {
    c->key = env;
  }
  return Status::Ok();
}

}  // namespace callpath::daemon::cluster
