// Trace context through a message queue: the producer writes its span's
// context into the message's headers, the consumer continues the trace from
// them. Works with any broker whose messages carry string headers (Kafka
// record headers, AMQP properties, SQS attributes, an in-process queue).
//
//   // producer ("order created")
//   callpath::MessageHeaders headers;
//   callpath::Span send = callpath::StartProducerSpan(tracer, "orders", headers);
//   queue.Publish({.headers = headers, .body = order});
//   send.End();
//
//   // consumer (inventory), on another thread or in another process
//   callpath::Span process = callpath::StartConsumerSpan(tracer, "orders", msg.headers);
//   callpath::Scope scope = process.Activate();
//   Reserve(msg.body);
//
// Span names and attributes follow OpenTelemetry's messaging conventions:
// "send <destination>" (PRODUCER) and "process <destination>" (CONSUMER),
// messaging.system, messaging.destination.name, messaging.operation.type.
//
// Errors: missing or malformed headers start a new trace; never throws.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/context.h"
#include "callpath/propagation.h"
#include "callpath/trace.h"

namespace callpath {

// A message's header fields. Names are matched ignoring ASCII case.
using MessageHeaders = HeaderMapCarrier::Headers;

struct MessagingOptions {
  // messaging.system, e.g. "kafka", "rabbitmq"; "" leaves it out.
  std::string_view system;
  // Inject/extract format. Null: GlobalPropagator(). Not owned.
  const TextMapPropagator* propagator = nullptr;
};

// Writes `context` (span context and baggage) into `headers`.
void InjectIntoMessage(const Context& context, MessageHeaders& headers,
                       const MessagingOptions& options = {}) noexcept;

// The Context the producer wrote into `headers` (invalid span context if
// none or malformed).
Context ExtractFromMessage(const MessageHeaders& headers,
                           const MessagingOptions& options = {}) noexcept;

// Starts the PRODUCER span "send <destination>" as a child of the current
// Context and injects its context into `headers`. The caller ends it once
// the message is handed to the broker.
Span StartProducerSpan(const Tracer& tracer, std::string_view destination,
                       MessageHeaders& headers, const MessagingOptions& options = {}) noexcept;

// How a CONSUMER span relates to the producer.
enum class ConsumerParent {
  kChild,          // the producer's span is the parent: one trace end to end (default)
  kLink,           // a new trace, linked to the producer (batch consumers, long queues)
  kChildAndLink,   // parent and a link, for backends that only follow one of them
};

// Starts the CONSUMER span "process <destination>" from the producer's
// context in `headers`. With no producer context in the headers, the span
// starts a new trace and has no link. Span::Activate() keeps the current
// baggage; to continue the producer's baggage as well, make
// `ExtractFromMessage(headers).WithSpanContext(span.context())` current.
Span StartConsumerSpan(const Tracer& tracer, std::string_view destination,
                       const MessageHeaders& headers,
                       ConsumerParent relation = ConsumerParent::kChild,
                       const MessagingOptions& options = {}) noexcept;

}  // namespace callpath
