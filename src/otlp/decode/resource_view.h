// Decoded views of the envelope every OTLP signal shares: the Resource a
// batch came from and the InstrumentationScope that produced it. Filled by
// DecodeTraceRequest / DecodeLogsRequest; views point into the request body.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otlp/decode/any_value.h"

namespace callpath::otlp {

struct DecodedResource {
  std::span<const KeyValueView> attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;  // ResourceSpans / ResourceLogs schema_url

  // The string value of the `service.name` attribute, or "" when it is
  // absent or not a string.
  std::string_view service_name() const noexcept;
};

struct DecodedScope {
  const DecodedResource* resource = nullptr;  // never null once decoded
  std::string_view name;
  std::string_view version;
  std::span<const KeyValueView> attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;  // ScopeSpans / ScopeLogs schema_url
};

}  // namespace callpath::otlp
