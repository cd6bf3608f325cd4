#include "daemon/receive/transfer_coding.h"

#include "callpath/propagation.h"

namespace callpath::daemon {

TransferCodingVerdict CheckTransferEncoding(std::string_view value) {
  if (value.empty()) return {};
  int chunked = 0;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view token = value.substr(pos, comma - pos);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    pos = comma + 1;
    if (token.empty()) continue;  // list syntax allows empty elements
    if (!detail::AsciiIEquals(token, "chunked")) {
      return {501, "transfer coding '" + std::string(token) + "' is not supported (only chunked)"};
    }
    ++chunked;
  }
  if (chunked != 1) return {400, "Transfer-Encoding must name chunked exactly once"};
  return {};
}

}  // namespace callpath::daemon
