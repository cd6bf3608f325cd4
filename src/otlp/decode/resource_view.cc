#include "otlp/decode/resource_view.h"

namespace callpath::otlp {

std::string_view DecodedResource::service_name() const noexcept {
  // The last occurrence wins, as with any repeated key.
  std::string_view name;
  for (const KeyValueView& kv : attributes) {
    if (kv.key == "service.name" && kv.value.kind == AnyValueKind::kString) name = kv.value.bytes;
  }
  return name;
}

}  // namespace callpath::otlp
