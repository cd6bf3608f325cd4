#include <charconv>

#include "callpath/grpc/interceptors.h"
#include "grpc/rpc_names.h"

namespace callpath::grpc {

bool SplitFullMethod(std::string_view full, std::string_view* service,
                     std::string_view* method) noexcept {
  *service = {};
  *method = {};
  if (full.size() < 4 || full.front() != '/') return false;
  full.remove_prefix(1);
  size_t slash = full.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == full.size() ||
      full.find('/', slash + 1) != std::string_view::npos) {
    return false;
  }
  *service = full.substr(0, slash);
  *method = full.substr(slash + 1);
  return true;
}

bool IsServerError(::grpc::StatusCode code) noexcept {
  switch (code) {
    case ::grpc::StatusCode::UNKNOWN:
    case ::grpc::StatusCode::DEADLINE_EXCEEDED:
    case ::grpc::StatusCode::UNIMPLEMENTED:
    case ::grpc::StatusCode::INTERNAL:
    case ::grpc::StatusCode::UNAVAILABLE:
    case ::grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

namespace detail {

void ParseTarget(std::string_view target, std::string* host, int* port) {
  host->clear();
  *port = -1;
  if (target.substr(0, 5) == "unix:") {
    *host = std::string(target.substr(5));
    return;
  }
  if (target.substr(0, 4) == "dns:") {
    target.remove_prefix(4);
    if (target.substr(0, 2) == "//") {  // dns://authority/host:port
      size_t slash = target.find('/', 2);
      target = slash == std::string_view::npos ? std::string_view() : target.substr(slash + 1);
    }
  } else if (target.substr(0, 5) == "ipv4:" || target.substr(0, 5) == "ipv6:") {
    target.remove_prefix(5);
    target = target.substr(0, target.find(','));  // first address of a list
  }
  std::string_view h = target, p;
  if (!target.empty() && target.front() == '[') {
    size_t close = target.find(']');
    if (close != std::string_view::npos) {
      h = target.substr(1, close - 1);
      if (close + 1 < target.size() && target[close + 1] == ':') p = target.substr(close + 2);
    }
  } else if (size_t c = target.rfind(':'); c != std::string_view::npos &&
                                           target.find(':') == c) {
    h = target.substr(0, c);
    p = target.substr(c + 1);
  }
  *host = std::string(h);
  int v = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (!p.empty() && ec == std::errc() && ptr == p.data() + p.size() && v > 0 && v < 65536) {
    *port = v;
  } else if (!host->empty() && p.empty()) {
    *port = 443;  // gRPC's default port
  }
}

}  // namespace detail
}  // namespace callpath::grpc
