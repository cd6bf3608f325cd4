#include <string>
#include <utility>

#include "callpath/http/httplib.h"
#include "http/httplib_carrier.h"

namespace callpath::http {
namespace {

std::string_view ErrorType(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection: return "connection_failed";
    case httplib::Error::ConnectionTimeout: return "timeout";
    case httplib::Error::Read: return "read_failed";
    case httplib::Error::Write: return "write_failed";
    case httplib::Error::Canceled: return "canceled";
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification: return "tls_failed";
    default: return "_OTHER";
  }
}

}  // namespace

TracedClient::TracedClient(const std::string& scheme_host_port, ClientOptions options)
    : client_(scheme_host_port),
      base_url_(scheme_host_port.find("://") == std::string::npos ? "http://" + scheme_host_port
                                                                  : scheme_host_port),
      options_(std::move(options)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

httplib::Result TracedClient::Send(httplib::Request request) {
  detail::HttplibHeadersCarrier carrier(request.headers);
  ClientSpan span(request.method, base_url_ + request.path, carrier, options_);
  httplib::Result result = client_.send(request);
  if (result) {
    span.End(result->status);
  } else if (result.error() == httplib::Error::Canceled) {
    // Cancelled on purpose by the caller: not an error (semantic conventions).
    span.span().End();
  } else {
    span.EndWithError(ErrorType(result.error()), httplib::to_string(result.error()));
  }
  return result;
}

httplib::Result TracedClient::Get(const std::string& path, const httplib::Headers& headers) {
  httplib::Request req;
  req.method = "GET";
  req.path = path;
  req.headers = headers;
  return Send(std::move(req));
}

httplib::Result TracedClient::Delete(const std::string& path, const httplib::Headers& headers) {
  httplib::Request req;
  req.method = "DELETE";
  req.path = path;
  req.headers = headers;
  return Send(std::move(req));
}

httplib::Result TracedClient::Post(const std::string& path, const std::string& body,
                                   const std::string& content_type,
                                   const httplib::Headers& headers) {
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = headers;
  req.body = body;
  if (!content_type.empty()) req.set_header("Content-Type", content_type);
  return Send(std::move(req));
}

httplib::Result TracedClient::Put(const std::string& path, const std::string& body,
                                  const std::string& content_type,
                                  const httplib::Headers& headers) {
  httplib::Request req;
  req.method = "PUT";
  req.path = path;
  req.headers = headers;
  req.body = body;
  if (!content_type.empty()) req.set_header("Content-Type", content_type);
  return Send(std::move(req));
}

}  // namespace callpath::http
