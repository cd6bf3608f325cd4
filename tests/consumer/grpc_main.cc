// Built against the installed callpath::grpc: names a gRPC method as the
// interceptors do.
#include <iostream>
#include <string_view>

#include "callpath/grpc/interceptors.h"

int main() {
  std::string_view service, method;
  const bool ok = callpath::grpc::SplitFullMethod("/shop.Payments/Charge", &service, &method);
  std::cout << service << " " << method << "\n";
  return ok && service == "shop.Payments" && method == "Charge" && callpath::grpc::IsServerError(::grpc::StatusCode::INTERNAL)
             ? 0
             : 1;
}
