// shop-order: the order-service, the shop's front door behind the gateway.
//
//   shop-order --port 17611 --admin-port 17612 --user-url http://127.0.0.1:17641
//              --inventory-addr 127.0.0.1:17621 --payment-url http://127.0.0.1:17631
//
//   POST /orders {"user_id":7,"items":[{"sku":"SKU-1003","quantity":2}]}
//     (optional header Idempotency-Key: a retried request with the same key
//      gets the first answer instead of a second order)
//     201 {"order_id","status":"confirmed","total_cents","reservation_id","payment_id"}
//     400 malformed, 402 payment declined, 403 account suspended,
//     409 out of stock, 422 unknown user or SKU,
//     500 internal, 502 a dependency failed, 503 inventory unavailable,
//     504 a dependency timed out
//
// What one order does: look the user up (user-service, HTTP), reserve the
// stock (inventory-service, gRPC), charge the card (payment-service, HTTP);
// when the charge fails the reservation is released again.
//
// Fault-injectable operation: CreateOrder.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "callpath/grpc/interceptors.h"
#include "callpath/http/httplib.h"
#include "common/downstream.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/service.h"
#include "inventory.grpc.pb.h"

namespace {

using callpath::SpanStatusCode;
using shop::Millis;
namespace pb = shop::inventory;

struct Answer {
  int status = 0;
  std::string body;
  std::string reason;  // why it failed, for the span status
};

// Answers already given, by Idempotency-Key (bounded; oldest forgotten
// first). Only final answers are kept: a 5xx may succeed when retried.
class IdempotencyCache {
 public:
  std::optional<Answer> Find(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = answers_.find(key);
    if (it == answers_.end()) return std::nullopt;
    return it->second;
  }
  void Remember(const std::string& key, const Answer& a) {
    std::lock_guard lock(mu_);
    if (!answers_.emplace(key, a).second) return;
    order_.push_back(key);
    if (order_.size() > 10000) {
      answers_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  std::mutex mu_;
  std::map<std::string, Answer> answers_;
  std::deque<std::string> order_;
};

struct Config {
  shop::HttpDownstream users;
  shop::HttpDownstream payments;
  std::unique_ptr<pb::Inventory::Stub> inventory;
  Millis inventory_deadline;
  Millis slow_call;  // a dependency slower than this gets a warning
};

class OrderHandler {
 public:
  OrderHandler(shop::Service& svc, Config& cfg) : svc_(svc), log_(svc.log()), cfg_(cfg) {}

  Answer Create(const httplib::Request& req) {
    callpath::Span span = tracer_.StartSpan("CreateOrder");
    callpath::Scope scope = span.Activate();
    const std::string key = req.get_header_value("Idempotency-Key");
    if (!key.empty()) {
      span.SetAttribute("shop.idempotency_key", std::string_view(key));
      if (auto prior = cache_.Find(key)) {
        log_.info("repeated request, replaying the first answer", {"idempotency_key", key},
                  {"status", prior->status});
        return *prior;
      }
    }
    Answer a = Place(req, span);
    if (a.status >= 500) {
      span.SetStatus(SpanStatusCode::kError, a.reason);
    } else if (!key.empty()) {
      cache_.Remember(key, a);
    }
    return a;
  }

 private:
  struct Item {
    std::string sku;
    int64_t quantity;
  };

  static Answer Error(int status, std::string_view message) {
    return {status, shop::ErrorJson(message), std::string(message)};
  }

  Answer Place(const httplib::Request& req, callpath::Span& span) {
    // 1. Validate.
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::optional<int64_t> user_id;
    std::vector<Item> items;
    std::string problem;
    if (parser.parse(req.body).get(doc) != simdjson::SUCCESS) {
      problem = "body is not JSON";
    } else if (!(user_id = shop::GetInt(doc, "user_id")) || *user_id <= 0) {
      problem = "user_id (a positive integer) is required";
    } else {
      simdjson::dom::array list;
      if (doc["items"].get_array().get(list) != simdjson::SUCCESS) {
        problem = "items (a list) is required";
      } else {
        for (auto e : list) {
          auto sku = shop::GetString(e, "sku");
          auto qty = shop::GetInt(e, "quantity");
          if (!sku || !qty || *qty < 1 || *qty > 100) {
            problem = "each item needs a sku and a quantity of 1..100";
            break;
          }
          items.push_back({std::string(*sku), *qty});
        }
        if (problem.empty() && (items.empty() || items.size() > 20)) problem = "1..20 items";
      }
    }
    if (!problem.empty()) {
      log_.warn("order rejected: invalid request", {"reason", problem});
      return Error(400, problem);
    }

    const std::string order_id = shop::NewId("ord");
    span.SetAttribute("shop.order_id", std::string_view(order_id));
    span.SetAttribute("shop.user_id", *user_id);
    log_.info("order received", {"order_id", order_id}, {"user_id", *user_id},
              {"items", items.size()});
    callpath::log::Logger log = log_.With({{"order_id", order_id}});

    if (svc_.InjectFaults("CreateOrder", span)) {
      log.error("order failed", {"reason", "order database unavailable (injected fault)"});
      return Error(500, "order database unavailable");
    }

    // 2. The customer: a lookup is safe to repeat, so two attempts.
    shop::CallResult user;
    for (int attempt = 1; attempt <= 2; ++attempt) {
      user = cfg_.users.Get("/users/" + std::to_string(*user_id));
      if (!user.retryable() || attempt == 2) break;
      log.warn("user lookup failed, retrying", {"attempt", attempt}, {"error", user.Describe()});
    }
    WarnIfSlow(log, "user-service", "GetUser", user.elapsed);
    if (user.status == 404) {
      log.warn("order rejected: unknown user", {"user_id", *user_id});
      return Error(422, "unknown user");
    }
    if (!user.ok()) {
      log.error("order failed: user lookup failed", {"user_id", *user_id}, {"error", user.Describe()});
      return Error(user.timed_out ? 504 : 502, "user service unavailable: " + user.Describe());
    }
    {
      simdjson::dom::parser p;
      simdjson::dom::element u;
      if (p.parse(user.body).get(u) == simdjson::SUCCESS &&
          shop::GetString(u, "status").value_or("") == "suspended") {
        log.warn("order rejected: account suspended", {"user_id", *user_id});
        return Error(403, "account suspended");
      }
    }

    // 3. The stock.
    pb::ReserveRequest reserve;
    reserve.set_order_id(order_id);
    for (const Item& i : items) {
      auto* li = reserve.add_items();
      li->set_sku(i.sku);
      li->set_quantity(static_cast<int32_t>(i.quantity));
    }
    pb::ReserveReply reserved;
    grpc::Status st;
    auto started = std::chrono::steady_clock::now();
    for (int attempt = 1; attempt <= 2; ++attempt) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + cfg_.inventory_deadline);
      st = cfg_.inventory->Reserve(&ctx, reserve, &reserved);
      // UNAVAILABLE means the call did not run: safe to try once more.
      if (st.error_code() != grpc::StatusCode::UNAVAILABLE || attempt == 2) break;
      log.warn("stock reservation failed, retrying", {"attempt", attempt},
               {"grpc_code", static_cast<int>(st.error_code())}, {"error", st.error_message()});
    }
    WarnIfSlow(log, "inventory-service", "Reserve", Since(started));
    if (!st.ok()) {
      switch (st.error_code()) {
        case grpc::StatusCode::FAILED_PRECONDITION:
          log.warn("order rejected: out of stock", {"reason", st.error_message()});
          return Error(409, st.error_message());
        case grpc::StatusCode::NOT_FOUND:
        case grpc::StatusCode::INVALID_ARGUMENT:
          log.warn("order rejected", {"reason", st.error_message()});
          return Error(422, st.error_message());
        case grpc::StatusCode::DEADLINE_EXCEEDED:
          log.error("order failed: stock reservation timed out",
                    {"deadline", cfg_.inventory_deadline});
          return Error(504, "inventory timed out");
        default:
          log.error("order failed: stock reservation failed",
                    {"grpc_code", static_cast<int>(st.error_code())}, {"error", st.error_message()});
          return Error(503, "inventory unavailable: " + st.error_message());
      }
    }
    span.SetAttribute("shop.reservation_id", std::string_view(reserved.reservation_id()));
    log.info("stock reserved", {"reservation_id", reserved.reservation_id()},
             {"total_cents", reserved.total_cents()});

    // 4. The payment. Charging is not idempotent: never retried here.
    std::string charge = shop::JsonObject()
                             .Str("order_id", order_id)
                             .Int("user_id", *user_id)
                             .Int("amount_cents", reserved.total_cents())
                             .Take();
    shop::CallResult paid = cfg_.payments.PostJson("/charges", charge);
    WarnIfSlow(log, "payment-service", "Charge", paid.elapsed);
    if (!paid.ok()) {
      Answer a;
      if (paid.status == 402) {
        log.warn("order rejected: payment declined", {"error", paid.Describe()});
        a = {402, paid.body, "payment declined"};
      } else if (paid.timed_out) {
        log.error("order failed: payment timed out", {"timeout", cfg_.payments.timeout()},
                  {"error", paid.Describe()});
        a = Error(504, "payment timed out");
      } else {
        log.error("order failed: payment failed", {"error", paid.Describe()});
        a = Error(502, "payment failed: " + paid.Describe());
      }
      Release(log, reserved.reservation_id(), paid.status == 402 ? "payment declined" : "payment failed");
      return a;
    }
    simdjson::dom::parser pp;
    simdjson::dom::element payment;
    std::string payment_id;
    if (pp.parse(paid.body).get(payment) == simdjson::SUCCESS) {
      payment_id = std::string(shop::GetString(payment, "payment_id").value_or(""));
    }
    span.SetAttribute("shop.payment_id", std::string_view(payment_id));
    log.info("order placed", {"payment_id", payment_id}, {"total_cents", reserved.total_cents()});
    return {201, shop::JsonObject()
                     .Str("order_id", order_id)
                     .Str("status", "confirmed")
                     .Int("total_cents", reserved.total_cents())
                     .Str("reservation_id", reserved.reservation_id())
                     .Str("payment_id", payment_id)
                     .Take(),
            ""};
  }

  // Gives the stock back after a failed payment. Best effort: a leaked
  // reservation is logged, the order's answer does not change.
  void Release(const callpath::log::Logger& log, const std::string& reservation,
               std::string_view reason) {
    pb::ReleaseRequest rel;
    rel.set_reservation_id(reservation);
    rel.set_reason(std::string(reason));
    pb::ReleaseReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + cfg_.inventory_deadline);
    grpc::Status st = cfg_.inventory->Release(&ctx, rel, &reply);
    if (!st.ok()) {
      log.warn("could not release the reservation; stock stays held",
               {"reservation_id", reservation}, {"error", st.error_message()});
    } else {
      log.info("reservation released", {"reservation_id", reservation}, {"reason", reason});
    }
  }

  void WarnIfSlow(const callpath::log::Logger& log, std::string_view dependency, std::string_view op,
            Millis elapsed) const {
    if (elapsed > cfg_.slow_call) {
      log.warn("slow dependency", {"dependency", dependency}, {"operation", op},
               {"elapsed", elapsed}, {"budget", cfg_.slow_call});
    }
  }

  static Millis Since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t);
  }

  shop::Service& svc_;
  const callpath::log::Logger& log_;
  Config& cfg_;
  callpath::Tracer tracer_ = callpath::GetTracer("shop.order");
  IdempotencyCache cache_;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "shop-order: %s\n", what.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  shop::ServiceOptions opts;
  opts.service_name = "order-service";
  int port = 0;
  std::string user_url = "http://127.0.0.1:17641", payment_url = "http://127.0.0.1:17631",
              inventory_addr = "127.0.0.1:17621", user_timeout = "500ms",
              inventory_deadline = "800ms", payment_timeout = "3s", slow_call = "250ms";
  shop::Flags flags("shop-order");
  flags.Add("port", &port, "HTTP port (0 picks one)");
  flags.Add("user-url", &user_url, "user-service base URL");
  flags.Add("payment-url", &payment_url, "payment-service base URL");
  flags.Add("inventory-addr", &inventory_addr, "inventory-service gRPC host:port");
  flags.Add("user-timeout", &user_timeout, "timeout of one user lookup");
  flags.Add("inventory-deadline", &inventory_deadline, "deadline of one Reserve/Release call");
  flags.Add("payment-timeout", &payment_timeout, "timeout of the charge call");
  flags.Add("slow-call", &slow_call, "warn about dependencies slower than this");
  opts.AddFlags(flags);
  if (!flags.Parse(argc, argv)) return 2;
  auto ut = shop::ParseDuration(user_timeout), id = shop::ParseDuration(inventory_deadline),
       pt = shop::ParseDuration(payment_timeout), sc = shop::ParseDuration(slow_call);
  for (const auto* d : {&ut, &id, &pt, &sc}) {
    if (!d->ok()) return Fail(d->status().message());
  }

  auto started = shop::Service::Start(opts);
  if (!started.ok()) {
    std::fprintf(stderr, "shop-order: %s\n", started.status().ToString().c_str());
    return 1;
  }
  shop::Service& svc = **started;
  Config cfg{shop::HttpDownstream(user_url, *ut), shop::HttpDownstream(payment_url, *pt),
             pb::Inventory::NewStub(callpath::grpc::CreateTracedChannel(
                 inventory_addr, grpc::InsecureChannelCredentials())),
             *id, *sc};
  OrderHandler orders(svc, cfg);

  callpath::http::TracedServer server;
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server.Post("/orders", [&](const httplib::Request& req, httplib::Response& res) {
    Answer a = orders.Create(req);
    res.status = a.status;
    res.set_content(a.body, "application/json");
  });

  int bound = port == 0 ? server.bind_to_any_port(svc.host())
                        : (server.bind_to_port(svc.host(), port) ? port : -1);
  if (bound <= 0) {
    std::fprintf(stderr, "shop-order: cannot listen on %s:%d\n", svc.host().c_str(), port);
    return 1;
  }
  svc.ReportReady(bound);
  std::thread stopper([&] {
    svc.WaitForStopSignal();
    server.stop();
  });
  server.listen_after_bind();
  stopper.join();
  return 0;
}
