// The `cluster` section of callpathd's YAML config: several callpathd
// nodes that share the ingest, each trace owned by one node.
//
//   cluster:
//     node: b                              # this node's name (flag --cluster-node)
//     members:                             # every node, this one included
//       - {name: a, address: "10.0.0.1:4317"}   # its OTLP/gRPC listener
//       - {name: b, address: "10.0.0.2:4317"}
//       - {name: c, address: "10.0.0.3:4317"}
//     virtual_nodes: 512                   # points per member on the hash ring
//     down_for: 5s                         # a failed peer is skipped this long
//     forward_timeout: 10s                 # one forwarded Export call, at most
//     key_file: /etc/callpath/cluster.key  # or env CALLPATHD_CLUSTER_KEY
//     tls: {ca: ca.pem, cert: node.pem, key: node.key}
//
// Every node must list the same members with the same virtual_nodes, or
// nodes disagree about who owns a trace (its spans then land on two nodes;
// nothing is lost). No section: a single node, nothing is forwarded.
// docs/scale-out.md, "Several nodes".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "callpath/status.h"

namespace YAML {
class Node;
}

namespace callpath::daemon::cluster {

struct Member {
  std::string name;     // unique; the ring hashes names, not addresses
  std::string address;  // host:port of the member's OTLP/gRPC listener
};

struct ClusterConfig {
  std::string node;              // this node's name; must be in `members`
  std::vector<Member> members;   // empty: no cluster
  // More points even out the members' shares: over 100,000 random ids
  // and a few sets of 2-5 names, 128 points gave shares up to 14% off the
  // fair one, 512 up to 6%. The cost is a longer ring to binary-search
  // (members x this points) and to build at start, both negligible.
  uint32_t virtual_nodes = 512;
  // A peer whose call failed (unreachable, deadline) is skipped this long;
  // its traces go to the next member of the ring meanwhile.
  uint64_t down_seconds = 5;
  uint64_t forward_timeout_seconds = 10;
  // Sent to peers as `authorization: Bearer <key>`; a node takes a
  // forwarded call (and the tenant it names) only with this key, or from
  // a trusted proxy when no key is set. Read from key_file (first line) or
  // the environment variable CALLPATHD_CLUSTER_KEY; never logged.
  std::string key_file;
  std::string key;
  // TLS to peers: verify them against `ca` (TLS on when set); present
  // `cert`/`key` when they require client certificates.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;

  bool enabled() const noexcept { return !members.empty(); }
};

// Applies the `cluster` mapping onto *out.
Status ParseClusterConfig(const YAML::Node& node, ClusterConfig* out);

// Checks the assembled section (after flags): the node is a member, names
// and addresses are set and names unique, the key file readable; reads the
// key into `key` (key_file first, else CALLPATHD_CLUSTER_KEY).
Status FinishClusterConfig(ClusterConfig* config);

}  // namespace callpath::daemon::cluster
