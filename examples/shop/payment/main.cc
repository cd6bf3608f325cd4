// shop-payment: the payment-service. POST /charges authorises a card
// payment for an order after checking the customer's account with the
// user-service.
//
//   shop-payment --port 17631 --admin-port 17632 --user-url http://127.0.0.1:17641
//                [--fault Charge=latency:300ms]
//
//   POST /charges {"order_id":"ord-..","user_id":7,"amount_cents":2599}
//     201 {"payment_id":"pay-..","status":"authorised"}
//     402 {"error":"account suspended"} / {"error":"amount exceeds credit limit"}
//     400 bad request, 500 processor failure, 503 account check failed
//
// Fault-injectable operation: Charge.
#include <cstdio>
#include <string>
#include <thread>

#include "callpath/http/httplib.h"
#include "common/downstream.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/service.h"

namespace {

using callpath::SpanStatusCode;

struct Account {
  bool ok = false;
  std::string status;
  int64_t credit_limit_cents = 0;
};

}  // namespace

int main(int argc, char** argv) {
  shop::ServiceOptions opts;
  opts.service_name = "payment-service";
  int port = 0;
  std::string user_url = "http://127.0.0.1:17641", user_timeout = "500ms";
  shop::Flags flags("shop-payment");
  flags.Add("port", &port, "HTTP port (0 picks one)");
  flags.Add("user-url", &user_url, "user-service base URL");
  flags.Add("user-timeout", &user_timeout, "timeout of one account check");
  opts.AddFlags(flags);
  if (!flags.Parse(argc, argv)) return 2;
  auto timeout = shop::ParseDuration(user_timeout);
  if (!timeout.ok()) {
    std::fprintf(stderr, "shop-payment: --user-timeout: %s\n", timeout.status().message().c_str());
    return 2;
  }

  auto started = shop::Service::Start(opts);
  if (!started.ok()) {
    std::fprintf(stderr, "shop-payment: %s\n", started.status().ToString().c_str());
    return 1;
  }
  shop::Service& svc = **started;
  const callpath::log::Logger& log = svc.log();
  callpath::Tracer tracer = callpath::GetTracer("shop.payment");
  shop::HttpDownstream users(user_url, *timeout);

  callpath::http::TracedServer server;
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server.Post("/charges", [&](const httplib::Request& req, httplib::Response& res) {
    callpath::Span span = tracer.StartSpan("Charge");
    callpath::Scope scope = span.Activate();
    auto answer = [&](int status, std::string body) {
      res.status = status;
      res.set_content(std::move(body), "application/json");
    };

    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::optional<std::string_view> order_id;
    std::optional<int64_t> user_id, amount;
    if (parser.parse(req.body).get(doc) == simdjson::SUCCESS) {
      order_id = shop::GetString(doc, "order_id");
      user_id = shop::GetInt(doc, "user_id");
      amount = shop::GetInt(doc, "amount_cents");
    }
    if (!order_id || !user_id || !amount || *amount <= 0) {
      log.warn("charge rejected: malformed request", {"body_bytes", req.body.size()});
      return answer(400, shop::ErrorJson("want {order_id, user_id, amount_cents > 0}"));
    }
    span.SetAttribute("shop.order_id", *order_id);
    span.SetAttribute("shop.amount_cents", *amount);
    log.info("charge requested", {"order_id", *order_id}, {"user_id", *user_id},
             {"amount_cents", *amount});

    if (svc.InjectFaults("Charge", span)) {
      log.error("charge failed", {"order_id", *order_id},
                {"reason", "card processor unavailable (injected fault)"});
      span.SetStatus(SpanStatusCode::kError, "card processor unavailable");
      return answer(500, shop::ErrorJson("card processor unavailable"));
    }

    // Check the account: two attempts, since a lookup is safe to repeat.
    Account account;
    shop::CallResult r;
    for (int attempt = 1; attempt <= 2; ++attempt) {
      r = users.Get("/users/" + std::to_string(*user_id));
      if (!r.retryable() || attempt == 2) break;
      log.warn("account check failed, retrying", {"user_id", *user_id}, {"attempt", attempt},
               {"error", r.Describe()});
    }
    simdjson::dom::parser account_parser;  // `parser` still backs order_id
    simdjson::dom::element user;
    if (r.ok() && account_parser.parse(r.body).get(user) == simdjson::SUCCESS) {
      account.ok = true;
      account.status = std::string(shop::GetString(user, "status").value_or(""));
      account.credit_limit_cents = shop::GetInt(user, "credit_limit_cents").value_or(0);
    }
    if (!account.ok) {
      if (r.status == 404) {
        log.warn("charge declined: unknown account", {"order_id", *order_id}, {"user_id", *user_id});
        return answer(402, shop::ErrorJson("unknown account"));
      }
      log.error("charge failed: cannot verify the account", {"order_id", *order_id},
                {"user_id", *user_id}, {"error", r.Describe()});
      span.SetStatus(SpanStatusCode::kError, "account check failed: " + r.Describe());
      return answer(503, shop::ErrorJson("cannot verify account: " + r.Describe()));
    }
    if (account.status != "active") {
      log.warn("charge declined", {"order_id", *order_id}, {"reason", "account suspended"});
      return answer(402, shop::ErrorJson("account suspended"));
    }
    if (*amount > account.credit_limit_cents) {
      log.warn("charge declined", {"order_id", *order_id}, {"reason", "amount exceeds credit limit"},
               {"amount_cents", *amount}, {"limit_cents", account.credit_limit_cents});
      return answer(402, shop::ErrorJson("amount exceeds credit limit"));
    }
    std::string payment_id = shop::NewId("pay");
    span.SetAttribute("shop.payment_id", std::string_view(payment_id));
    log.info("payment authorised", {"order_id", *order_id}, {"payment_id", payment_id},
             {"amount_cents", *amount});
    answer(201, shop::JsonObject().Str("payment_id", payment_id).Str("status", "authorised").Take());
  });

  int bound = port == 0 ? server.bind_to_any_port(svc.host())
                        : (server.bind_to_port(svc.host(), port) ? port : -1);
  if (bound <= 0) {
    std::fprintf(stderr, "shop-payment: cannot listen on %s:%d\n", svc.host().c_str(), port);
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
