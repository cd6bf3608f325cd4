#include "daemon/cluster/ring.h"

#include <algorithm>

#include "store/encoding.h"

namespace callpath::daemon::cluster {

uint64_t Ring::Hash(std::string_view bytes) noexcept {
  // FNV-1a spreads its low bits well but its high bits poorly for short
  // inputs that differ in one byte ("a#1", "a#2"); the ring orders by the
  // whole value, so a final avalanche (MurmurHash3's fmix64) mixes them.
  uint64_t h = store::enc::Hash64(bytes);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

Ring::Ring(const std::vector<std::string>& names, uint32_t virtual_nodes) : members_(names.size()) {
  points_.reserve(names.size() * virtual_nodes);
  for (size_t m = 0; m < names.size(); ++m) {
    for (uint32_t v = 0; v < virtual_nodes; ++v) {
      points_.emplace_back(Hash(names[m] + "#" + std::to_string(v)), m);
    }
  }
  // Ties (vanishingly rare) are broken by member index, the same everywhere.
  std::sort(points_.begin(), points_.end());
}

size_t Ring::Start(std::string_view trace_id) const noexcept {
  uint64_t h = Hash(trace_id);
  auto it = std::lower_bound(points_.begin(), points_.end(), std::pair<uint64_t, size_t>(h, 0));
  return it == points_.end() ? 0 : static_cast<size_t>(it - points_.begin());
}

size_t Ring::Owner(std::string_view trace_id) const noexcept {
  return points_.empty() ? 0 : points_[Start(trace_id)].second;
}

std::vector<size_t> Ring::Successors(std::string_view trace_id) const {
  std::vector<size_t> out;
  if (points_.empty()) return out;
  std::vector<bool> seen(members_, false);
  size_t start = Start(trace_id);
  for (size_t k = 0; k < points_.size() && out.size() < members_; ++k) {
    size_t m = points_[(start + k) % points_.size()].second;
    if (!seen[m]) {
      seen[m] = true;
      out.push_back(m);
    }
  }
  return out;
}

}  // namespace callpath::daemon::cluster
