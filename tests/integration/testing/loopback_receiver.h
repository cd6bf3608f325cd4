// LoopbackReceiver: a small HTTP server on 127.0.0.1 (a free port chosen by
// the kernel) that records every POST it gets and answers as the test tells
// it to. Stands in for an OTLP/HTTP collector in integration tests. Given a
// certificate and key (PEM files), it speaks HTTPS.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace callpath::testing {

struct ReceivedRequest {
  std::string path;
  std::string content_type;
  std::string content_encoding;
  std::string user_agent;
  httplib::Headers headers;
  std::string body;  // gzip is already undone by httplib
  int remote_port = 0;  // same port = same (kept-alive) connection
  std::chrono::steady_clock::time_point received_at;
};

class LoopbackReceiver {
 public:
  // Sets the answer to the `index`-th request (0-based). The default answers
  // 200 with an empty body (a full OTLP success in protobuf).
  using Responder = std::function<void(size_t index, const ReceivedRequest&, httplib::Response&)>;

  explicit LoopbackReceiver(Responder responder = nullptr, const std::string& tls_cert_file = "",
                            const std::string& tls_key_file = "")
      : responder_(std::move(responder)),
        tls_(!tls_cert_file.empty()),
        server_(tls_ ? std::make_unique<httplib::SSLServer>(tls_cert_file.c_str(), tls_key_file.c_str())
                     : std::make_unique<httplib::Server>()) {
    if (!server_->is_valid()) throw std::runtime_error("cannot set up the server (TLS files?)");
    server_->Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      ReceivedRequest r;
      r.path = req.path;
      r.content_type = req.get_header_value("Content-Type");
      r.content_encoding = req.get_header_value("Content-Encoding");
      r.user_agent = req.get_header_value("User-Agent");
      r.headers = req.headers;
      r.body = req.body;
      r.remote_port = req.remote_port;
      r.received_at = std::chrono::steady_clock::now();
      size_t index;
      {
        std::lock_guard<std::mutex> lock(mu_);
        index = requests_.size();
      }
      res.status = 200;
      if (responder_) responder_(index, r, res);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(std::move(r));
      }
      cv_.notify_all();
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a port on 127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // Clients could connect already (the socket listens), but httplib's
    // stop() is a no-op until the accept loop runs, so a receiver destroyed
    // early would never stop. httplib offers no readiness signal to wait on.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!server_->is_running()) {
      if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("server did not start");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  ~LoopbackReceiver() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
  }

  std::vector<ReceivedRequest> Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t RequestCount() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  // True once at least `n` requests were answered; false after `timeout`.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }

 private:
  Responder responder_;
  bool tls_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedRequest> requests_;
};

}  // namespace callpath::testing
