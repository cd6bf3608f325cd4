// shop-inventory: the inventory-service, a gRPC service (shop.inventory.
// Inventory, see proto/inventory.proto) that holds stock for orders.
//
//   shop-inventory --port 17621 --admin-port 17622 [--fault Reserve=error:0.5]
//
// The catalogue is SKU-1001 .. SKU-1020 (plenty of stock) and SKU-9999
// (always out of stock). Fault-injectable operations: Reserve, Release;
// an injected error answers UNAVAILABLE.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "callpath/grpc/interceptors.h"
#include "common/ids.h"
#include "common/service.h"
#include "inventory.grpc.pb.h"

namespace {

using callpath::SpanStatusCode;
namespace pb = shop::inventory;

struct StockItem {
  int64_t unit_price_cents;
  int64_t available;
};

class Stock {
 public:
  Stock() {
    for (int i = 1; i <= 20; ++i) {
      items_["SKU-" + std::to_string(1000 + i)] = {499 + 250 * i, 1'000'000'000};
    }
    items_["SKU-9999"] = {9999, 0};
  }

  // Takes the items out of stock. On failure nothing is taken and `why`
  // says which item failed.
  grpc::Status Reserve(const pb::ReserveRequest& req, int64_t* total, std::string* reservation) {
    std::lock_guard lock(mu_);
    *total = 0;
    for (const auto& li : req.items()) {
      auto it = items_.find(li.sku());
      if (it == items_.end()) return {grpc::StatusCode::NOT_FOUND, "unknown SKU " + li.sku()};
      if (li.quantity() <= 0 || li.quantity() > 1000) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "bad quantity for " + li.sku()};
      }
      if (it->second.available < li.quantity()) {
        return {grpc::StatusCode::FAILED_PRECONDITION, "out of stock: " + li.sku()};
      }
      *total += it->second.unit_price_cents * li.quantity();
    }
    std::vector<std::pair<std::string, int64_t>> held;
    for (const auto& li : req.items()) {
      items_[li.sku()].available -= li.quantity();
      held.emplace_back(li.sku(), li.quantity());
    }
    *reservation = shop::NewId("rsv");
    reservations_[*reservation] = std::move(held);
    return grpc::Status::OK;
  }

  bool Release(const std::string& reservation) {
    std::lock_guard lock(mu_);
    auto it = reservations_.find(reservation);
    if (it == reservations_.end()) return false;
    for (const auto& [sku, qty] : it->second) items_[sku].available += qty;
    reservations_.erase(it);
    return true;
  }

 private:
  std::mutex mu_;
  std::map<std::string, StockItem> items_;
  std::map<std::string, std::vector<std::pair<std::string, int64_t>>> reservations_;
};

class InventoryService final : public pb::Inventory::Service {
 public:
  explicit InventoryService(shop::Service& svc) : svc_(svc), log_(svc.log()) {}

  // Runs on the server span's thread, inside its Context (the tracing
  // interceptor makes it current), so the spans and logs below join it.
  grpc::Status Reserve(grpc::ServerContext*, const pb::ReserveRequest* req,
                       pb::ReserveReply* reply) override {
    callpath::Span span = tracer_.StartSpan("Reserve");
    callpath::Scope scope = span.Activate();
    span.SetAttribute("shop.order_id", std::string_view(req->order_id()));
    span.SetAttribute("shop.items", static_cast<int64_t>(req->items_size()));
    if (svc_.InjectFaults("Reserve", span)) {
      log_.error("reservation failed", {"order_id", req->order_id()},
                 {"reason", "stock database unavailable (injected fault)"});
      span.SetStatus(SpanStatusCode::kError, "stock database unavailable");
      return {grpc::StatusCode::UNAVAILABLE, "stock database unavailable"};
    }
    int64_t total = 0;
    std::string reservation;
    grpc::Status st = stock_.Reserve(*req, &total, &reservation);
    if (!st.ok()) {
      log_.warn("reservation refused", {"order_id", req->order_id()},
                {"reason", st.error_message()});
      return st;
    }
    span.SetAttribute("shop.reservation_id", std::string_view(reservation));
    log_.info("stock reserved", {"order_id", req->order_id()}, {"reservation_id", reservation},
              {"items", req->items_size()}, {"total_cents", total});
    reply->set_reservation_id(reservation);
    reply->set_total_cents(total);
    return grpc::Status::OK;
  }

  grpc::Status Release(grpc::ServerContext*, const pb::ReleaseRequest* req,
                       pb::ReleaseReply* reply) override {
    callpath::Span span = tracer_.StartSpan("Release");
    callpath::Scope scope = span.Activate();
    span.SetAttribute("shop.reservation_id", std::string_view(req->reservation_id()));
    if (svc_.InjectFaults("Release", span)) {
      log_.error("release failed", {"reservation_id", req->reservation_id()},
                 {"reason", "stock database unavailable (injected fault)"});
      span.SetStatus(SpanStatusCode::kError, "stock database unavailable");
      return {grpc::StatusCode::UNAVAILABLE, "stock database unavailable"};
    }
    bool released = stock_.Release(req->reservation_id());
    if (released) {
      log_.info("reservation released", {"reservation_id", req->reservation_id()},
                {"reason", req->reason()});
    } else {
      log_.warn("release of an unknown reservation", {"reservation_id", req->reservation_id()});
    }
    reply->set_released(released);
    return grpc::Status::OK;
  }

 private:
  shop::Service& svc_;
  const callpath::log::Logger& log_;
  callpath::Tracer tracer_ = callpath::GetTracer("shop.inventory");
  Stock stock_;
};

}  // namespace

int main(int argc, char** argv) {
  shop::ServiceOptions opts;
  opts.service_name = "inventory-service";
  int port = 0;
  shop::Flags flags("shop-inventory");
  flags.Add("port", &port, "gRPC port (0 picks one)");
  opts.AddFlags(flags);
  if (!flags.Parse(argc, argv)) return 2;

  auto started = shop::Service::Start(opts);
  if (!started.ok()) {
    std::fprintf(stderr, "shop-inventory: %s\n", started.status().ToString().c_str());
    return 1;
  }
  shop::Service& svc = **started;
  InventoryService service(svc);

  grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(svc.host() + ":" + std::to_string(port),
                           grpc::InsecureServerCredentials(), &bound);
  builder.RegisterService(&service);
  callpath::grpc::EnableServerTracing(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound == 0) {
    std::fprintf(stderr, "shop-inventory: cannot listen on %s:%d\n", svc.host().c_str(), port);
    return 1;
  }
  svc.ReportReady(bound);
  svc.WaitForStopSignal();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return 0;
}
