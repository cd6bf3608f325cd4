// shop-user: the user-service. Answers GET /users/{id} with the account
// that orders and payments check.
//
//   shop-user --port 17641 --admin-port 17642 [--fault GetUser=latency:200ms]
//
// Users 1..10000 exist; every 50th is suspended. The credit limit grows
// with the tier. Fault-injectable operation: GetUser.
#include <cstdio>
#include <string>
#include <thread>

#include "callpath/http/httplib.h"
#include "common/json.h"
#include "common/service.h"

namespace {

constexpr int64_t kUsers = 10000;

struct User {
  int64_t id;
  std::string name, email, tier, status;
  int64_t credit_limit_cents;
};

User LookUp(int64_t id) {
  static const char* kTiers[] = {"basic", "silver", "gold"};
  static const int64_t kLimits[] = {50'000, 200'000, 1'000'000};
  int t = static_cast<int>(id % 3);
  return User{id,
              "user-" + std::to_string(id),
              "user" + std::to_string(id) + "@example.com",
              kTiers[t],
              id % 50 == 0 ? "suspended" : "active",
              kLimits[t]};
}

}  // namespace

int main(int argc, char** argv) {
  shop::ServiceOptions opts;
  opts.service_name = "user-service";
  int port = 0;
  shop::Flags flags("shop-user");
  flags.Add("port", &port, "HTTP port (0 picks one)");
  opts.AddFlags(flags);
  if (!flags.Parse(argc, argv)) return 2;

  auto started = shop::Service::Start(opts);
  if (!started.ok()) {
    std::fprintf(stderr, "shop-user: %s\n", started.status().ToString().c_str());
    return 1;
  }
  shop::Service& svc = **started;
  const callpath::log::Logger& log = svc.log();
  callpath::Tracer tracer = callpath::GetTracer("shop.user");

  callpath::http::TracedServer server;
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server.Get(R"(/users/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    callpath::Span span = tracer.StartSpan("GetUser");
    callpath::Scope scope = span.Activate();
    int64_t id = std::strtoll(req.matches[1].str().c_str(), nullptr, 10);
    span.SetAttribute("shop.user_id", id);
    if (svc.InjectFaults("GetUser", span)) {
      log.error("user lookup failed", {"user_id", id},
                {"reason", "user store unavailable (injected fault)"});
      span.SetStatus(callpath::SpanStatusCode::kError, "user store unavailable");
      res.status = 500;
      res.set_content(shop::ErrorJson("user store unavailable"), "application/json");
      return;
    }
    if (id < 1 || id > kUsers) {
      log.warn("user not found", {"user_id", id});
      res.status = 404;
      res.set_content(shop::ErrorJson("no user " + std::to_string(id)), "application/json");
      return;
    }
    User u = LookUp(id);
    span.SetAttribute("shop.user_tier", std::string_view(u.tier));
    log.info("user looked up", {"user_id", id}, {"tier", u.tier}, {"status", u.status});
    res.set_content(shop::JsonObject()
                        .Int("id", u.id)
                        .Str("name", u.name)
                        .Str("email", u.email)
                        .Str("tier", u.tier)
                        .Str("status", u.status)
                        .Int("credit_limit_cents", u.credit_limit_cents)
                        .Take(),
                    "application/json");
  });

  int bound = port == 0 ? server.bind_to_any_port(svc.host())
                        : (server.bind_to_port(svc.host(), port) ? port : -1);
  if (bound <= 0) {
    std::fprintf(stderr, "shop-user: cannot listen on %s:%d\n", svc.host().c_str(), port);
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
