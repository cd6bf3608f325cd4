#include "callpath/async.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "http/test_tracing.h"

namespace callpath {
namespace {

using testing::TestTracing;

TEST(Async, StdAsyncRunsInCallersContext) {
  TestTracing tracing;
  Span parent = tracing.provider->GetTracer("t").StartSpan("parent");
  Scope scope = parent.Activate();
  auto f = Async(std::launch::async, [&] {
    Span child = tracing.provider->GetTracer("t").StartSpan("child");
    return child.context().trace_id();
  });
  EXPECT_EQ(f.get(), parent.context().trace_id());
}

TEST(Async, DeferredUsesTheContextCapturedAtCall) {
  TestTracing tracing;
  std::future<SpanId> f;
  Span parent = tracing.provider->GetTracer("t").StartSpan("parent");
  {
    Scope scope = parent.Activate();
    f = Async(std::launch::deferred, [] { return Context::Current().span_context().span_id(); });
  }
  EXPECT_FALSE(Context::Current().span_context().IsValid());
  EXPECT_EQ(f.get(), parent.context().span_id());
}

TEST(Async, ThreadPoolKeepsTraceAndRestoresWorkerContext) {
  TestTracing tracing;
  ThreadPool pool(2);
  Span parent = tracing.provider->GetTracer("t").StartSpan("parent");
  std::future<SpanId> seen;
  {
    Scope scope = parent.Activate();
    seen = pool.Submit([] { return Context::Current().span_context().span_id(); });
  }
  EXPECT_EQ(seen.get(), parent.context().span_id());
  // A task submitted without a context sees none, although the same worker
  // just ran one inside a span.
  auto after = pool.Submit([] { return Context::Current().span_context().IsValid(); });
  EXPECT_FALSE(after.get());
  auto thrown = pool.Submit([]() -> int { throw std::runtime_error("x"); });
  EXPECT_THROW(thrown.get(), std::runtime_error);
}

TEST(Async, PostToAsioExecutorAndThreadPool) {
  TestTracing tracing;
  Span parent = tracing.provider->GetTracer("t").StartSpan("parent");
  Scope scope = parent.Activate();
  boost::asio::io_context io;
  SpanId on_asio;
  Post(io.get_executor(), [&] { on_asio = Context::Current().span_context().span_id(); });
  std::thread runner([&] { io.run(); });
  runner.join();
  EXPECT_EQ(on_asio, parent.context().span_id());

  ThreadPool pool(1);
  std::promise<SpanId> p;
  Post(pool, [&] { p.set_value(Context::Current().span_context().span_id()); });
  EXPECT_EQ(p.get_future().get(), parent.context().span_id());
}

}  // namespace
}  // namespace callpath
