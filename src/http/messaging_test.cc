#include "callpath/messaging.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <thread>

#include "http/test_tracing.h"

namespace callpath {
namespace {

using testing::AttrString;
using testing::TestTracing;

struct Message {
  MessageHeaders headers;
  std::string body;
};

// "order created" -> inventory, through an in-process queue and a consumer thread.
TEST(Messaging, ConsumerContinuesProducersTrace) {
  TestTracing tracing;
  Tracer tracer = tracing.provider->GetTracer("shop");
  W3CTraceContextPropagator w3c;
  MessagingOptions options{.system = "memory", .propagator = &w3c};

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Message> queue;
  SpanContext consumer_seen;
  std::thread consumer([&] {
    Message m;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !queue.empty(); });
      m = std::move(queue.front());
    }
    Span process = StartConsumerSpan(tracer, "orders", m.headers, ConsumerParent::kChild, options);
    Scope scope = process.Activate();
    consumer_seen = Context::Current().span_context();
  });

  Span request = tracer.StartSpan("POST /orders", {.kind = SpanKind::kServer});
  {
    Scope scope = request.Activate();
    Message m{.body = "order 7"};
    Span send = StartProducerSpan(tracer, "orders", m.headers, options);
    {
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(std::move(m));
    }
    cv.notify_one();
    send.End();
  }
  consumer.join();
  request.End();

  auto spans = tracing.Spans();
  ASSERT_EQ(spans.size(), 3u);
  const SpanData* producer = testing::FindSpan(spans, SpanKind::kProducer);
  const SpanData* consumer_span = testing::FindSpan(spans, SpanKind::kConsumer);
  ASSERT_NE(producer, nullptr);
  ASSERT_NE(consumer_span, nullptr);
  EXPECT_EQ(producer->name, "send orders");
  EXPECT_EQ(producer->parent_span_id, request.context().span_id());
  EXPECT_EQ(consumer_span->name, "process orders");
  EXPECT_EQ(consumer_span->context.trace_id(), request.context().trace_id());
  EXPECT_EQ(consumer_span->parent_span_id, producer->context.span_id());
  EXPECT_TRUE(consumer_span->links.empty());
  EXPECT_EQ(consumer_seen, consumer_span->context);
  EXPECT_EQ(AttrString(*consumer_span, "messaging.system"), "memory");
  EXPECT_EQ(AttrString(*consumer_span, "messaging.destination.name"), "orders");
  EXPECT_EQ(AttrString(*consumer_span, "messaging.operation.type"), "process");
}

TEST(Messaging, LinkModeStartsNewTraceLinkedToProducer) {
  TestTracing tracing;
  Tracer tracer = tracing.provider->GetTracer("shop");
  MessageHeaders headers;
  Span send = StartProducerSpan(tracer, "orders", headers);
  send.End();
  Span linked = StartConsumerSpan(tracer, "orders", headers, ConsumerParent::kLink);
  linked.End();
  Span both = StartConsumerSpan(tracer, "orders", headers, ConsumerParent::kChildAndLink);
  both.End();
  auto spans = tracing.Spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_NE(spans[1].context.trace_id(), send.context().trace_id());
  EXPECT_FALSE(spans[1].parent_span_id.IsValid());
  ASSERT_EQ(spans[1].links.size(), 1u);
  EXPECT_EQ(spans[1].links[0].context.span_id(), send.context().span_id());
  EXPECT_EQ(spans[2].parent_span_id, send.context().span_id());
  ASSERT_EQ(spans[2].links.size(), 1u);
}

TEST(Messaging, GarbageHeadersStartANewTrace) {
  TestTracing tracing;
  Tracer tracer = tracing.provider->GetTracer("shop");
  MessageHeaders headers{{"traceparent", "garbage"}, {"tracestate", "=,="}};
  Span s = StartConsumerSpan(tracer, "orders", headers, ConsumerParent::kChildAndLink);
  s.End();
  auto spans = tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_FALSE(spans[0].parent_span_id.IsValid());
  EXPECT_TRUE(spans[0].links.empty());
  EXPECT_FALSE(ExtractFromMessage(headers).span_context().IsValid());
}

}  // namespace
}  // namespace callpath
