// fuzz_logparse_loki_push: any bytes as a Loki push body, both ways: as
// JSON, and as an uncompressed PushRequest (snappy-compressed here so the
// protobuf walk, not snappy's checks, gets the fuzzer's attention). A
// decoded request always encodes as OTLP; nothing crashes.
#include <snappy.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "logparse/loki_push.h"

using namespace callpath::logparse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  PushedLogs json;
  if (DecodeLokiPushJson(in, &json).ok()) (void)json.EncodeOtlp(1);
  std::string compressed;
  snappy::Compress(in.data(), in.size(), &compressed);
  PushedLogs proto;
  if (DecodeLokiPushProto(compressed, 1 << 20, &proto).ok()) (void)proto.EncodeOtlp(1);
  PushedLogs raw;  // and the bytes as they are: rarely valid snappy
  (void)DecodeLokiPushProto(in, 1 << 20, &raw);
  return 0;
}
