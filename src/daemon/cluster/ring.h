// Ring: consistent hashing of trace ids onto cluster members.
//
// Each member puts `virtual_nodes` points on a 64-bit circle, at the hash
// of "<name>#<i>"; a trace id belongs to the member of the first point at
// or after the id's hash (wrapping around). Points depend on names only,
// so every node that lists the same members computes the same owners, and
// adding or removing a member moves only the ids of the arcs it gains or
// loses (about 1/N of them), not everyone's.
//
// Immutable after construction; any thread may call the const methods.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callpath::daemon::cluster {

class Ring {
 public:
  // `names` must be non-empty and distinct; members are referred to by
  // their index in `names`.
  Ring(const std::vector<std::string>& names, uint32_t virtual_nodes);

  size_t size() const noexcept { return members_; }

  // The member owning `trace_id` (any bytes; 16 for OTLP trace ids).
  size_t Owner(std::string_view trace_id) const noexcept;

  // Every member once, in the order to try for `trace_id`: the owner
  // first, then the members of the following points as they first appear.
  // When the owner is down, the next member up takes its ids, so a down
  // member's share spreads over the others instead of doubling one.
  std::vector<size_t> Successors(std::string_view trace_id) const;

  // The first member in Successors order for which `up(member)` is true,
  // without building the list; size() when none is.
  template <typename Up>
  size_t FirstUp(std::string_view trace_id, Up&& up) const {
    size_t start = Start(trace_id);
    uint64_t tried = 0;  // bit per member (members < 64), else a slow path
    for (size_t k = 0; k < points_.size(); ++k) {
      size_t m = points_[(start + k) % points_.size()].second;
      if (m < 64) {
        if (tried & (uint64_t{1} << m)) continue;
        tried |= uint64_t{1} << m;
      }
      if (up(m)) return m;
    }
    return members_;
  }

  // The stable 64-bit hash the ring places ids and points with.
  static uint64_t Hash(std::string_view bytes) noexcept;

 private:
  size_t Start(std::string_view trace_id) const noexcept;

  size_t members_;
  std::vector<std::pair<uint64_t, size_t>> points_;  // (position, member), sorted
};

}  // namespace callpath::daemon::cluster
