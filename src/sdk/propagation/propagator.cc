// The never-throw wrappers of TextMapPropagator, and the composite.
#include "callpath/propagation.h"

#include <algorithm>

namespace callpath {

void TextMapPropagator::Inject(const Context& context, TextMapCarrier& carrier) const noexcept {
  try {
    DoInject(context, carrier);
  } catch (...) {
    // Out of memory or a throwing carrier: the request goes out without
    // trace fields, which its receiver handles as a new trace.
  }
}

Context TextMapPropagator::Extract(const TextMapCarrier& carrier,
                                   const Context& base) const noexcept {
  try {
    return DoExtract(carrier, base);
  } catch (...) {
    return base;
  }
}

CompositePropagator::CompositePropagator(
    std::vector<std::unique_ptr<TextMapPropagator>> propagators)
    : propagators_(std::move(propagators)) {
  std::erase(propagators_, nullptr);
}

std::vector<std::string_view> CompositePropagator::Fields() const {
  std::vector<std::string_view> fields;
  for (const auto& p : propagators_) {
    for (std::string_view f : p->Fields()) {
      if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
    }
  }
  return fields;
}

void CompositePropagator::DoInject(const Context& context, TextMapCarrier& carrier) const {
  for (const auto& p : propagators_) p->Inject(context, carrier);
}

Context CompositePropagator::DoExtract(const TextMapCarrier& carrier, const Context& base) const {
  Context context = base;
  for (const auto& p : propagators_) context = p->Extract(carrier, context);
  return context;
}

}  // namespace callpath
