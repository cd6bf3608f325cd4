// Which Transfer-Encoding values a request may carry. callpathd decodes
// only "chunked", alone: anything else - an unknown coding ("xchunked",
// "gzip"), a stacked one ("chunked, identity") or chunked twice - is
// refused rather than guessed at, since proxies in front of the daemon may
// frame such a message differently (request smuggling).
#pragma once

#include <string>
#include <string_view>

namespace callpath::daemon {

struct TransferCodingVerdict {
  int status = 0;       // 0: acceptable; 400 or 501 otherwise
  std::string message;  // why, for the response body
};

// `value` is every Transfer-Encoding field of the request joined with ","
// ("" when there is none).
TransferCodingVerdict CheckTransferEncoding(std::string_view value);

}  // namespace callpath::daemon
