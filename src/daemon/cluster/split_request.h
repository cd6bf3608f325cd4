// Splitting one OTLP export request (traces or logs) into one request per
// destination, by the trace id of each span or log record.
//
// Resources and scopes are kept byte for byte (protobuf) or as minified
// JSON: each share repeats the resource and scope of the items it holds,
// so a share is itself a complete request. Items keep their order within
// a share.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/metrics.h"

namespace callpath::daemon::cluster {

// The destination (0..n-1) of an item with this trace id: 16 bytes, or
// empty when the item has none or one that is not 16 bytes long.
using RouteFn = std::function<size_t(std::string_view trace_id)>;

struct Share {
  size_t destination = 0;
  std::string body;    // a whole export request, in the input's encoding
  uint64_t items = 0;  // spans or log records in it
};

struct Split {
  // Every item (or none) goes to one destination: `single` names it and
  // `shares` is empty - the original body can be used as it is.
  bool whole = false;
  size_t single = 0;
  uint64_t items = 0;  // when whole
  std::vector<Share> shares;
};

// False when the body is not a well-formed request (the caller then
// leaves it to the local node, whose decoder tells the client why).
bool SplitProtoRequest(Signal signal, std::string_view body, const RouteFn& route, Split* out);
bool SplitJsonRequest(Signal signal, std::string_view body, const RouteFn& route, Split* out);

}  // namespace callpath::daemon::cluster
