#include "callpath/messaging.h"

#include <string>

namespace callpath {
namespace {

const TextMapPropagator& PropagatorOf(const MessagingOptions& options) {
  return options.propagator ? *options.propagator : GlobalPropagator();
}

void SetCommon(Span& span, std::string_view destination, std::string_view operation,
               const MessagingOptions& options) {
  if (!options.system.empty()) span.SetAttribute("messaging.system", options.system);
  span.SetAttribute("messaging.destination.name", destination);
  span.SetAttribute("messaging.operation.type", operation);
  span.SetAttribute("messaging.operation.name", operation);
}

}  // namespace

void InjectIntoMessage(const Context& context, MessageHeaders& headers,
                       const MessagingOptions& options) noexcept {
  HeaderMapCarrier carrier(headers);
  PropagatorOf(options).Inject(context, carrier);
}

Context ExtractFromMessage(const MessageHeaders& headers,
                           const MessagingOptions& options) noexcept {
  HeaderMapCarrier carrier(headers);
  return PropagatorOf(options).Extract(carrier, Context());
}

Span StartProducerSpan(const Tracer& tracer, std::string_view destination,
                       MessageHeaders& headers, const MessagingOptions& options) noexcept {
  Span span;
  try {
    span = tracer.StartSpan("send " + std::string(destination), {.kind = SpanKind::kProducer});
    SetCommon(span, destination, "send", options);
    InjectIntoMessage(span.ToContext(), headers, options);
  } catch (...) {  // std::bad_alloc building the name: no span rather than a throw
  }
  return span;
}

Span StartConsumerSpan(const Tracer& tracer, std::string_view destination,
                       const MessageHeaders& headers, ConsumerParent relation,
                       const MessagingOptions& options) noexcept {
  Span span;
  try {
    Context producer = ExtractFromMessage(headers, options);
    const SpanContext& sc = producer.span_context();
    StartOptions start{.kind = SpanKind::kConsumer};
    Context none;
    if (relation == ConsumerParent::kLink) {
      start.root = true;
      start.parent = &none;
    } else {
      start.parent = &producer;  // invalid span context: a new trace
    }
    if (sc.IsValid() && relation != ConsumerParent::kChild) {
      start.links.push_back(SpanLink{.context = sc});
    }
    span = tracer.StartSpan("process " + std::string(destination), start);
    SetCommon(span, destination, "process", options);
  } catch (...) {
  }
  return span;
}

}  // namespace callpath
