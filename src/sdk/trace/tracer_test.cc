#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "callpath/trace.h"
#include "sdk/testing/in_memory_exporter.h"

namespace callpath {
namespace {

using testing::InMemoryExporter;

struct Fixture {
  std::shared_ptr<InMemoryExporter::Sink> sink = std::make_shared<InMemoryExporter::Sink>();
  std::shared_ptr<TracerProvider> provider;
  Tracer tracer;

  explicit Fixture(std::shared_ptr<Sampler> sampler = AlwaysOnSampler(),
                   std::shared_ptr<SpanLimits> limits = nullptr) {
    TracerProviderOptions o;
    o.sampler = std::move(sampler);
    o.limits = std::move(limits);
    o.force_enabled = true;
    o.resource.attributes.push_back({"service.name", std::string("checkout")});
    o.processors.push_back(std::make_unique<SimpleSpanProcessor>(
        std::make_unique<InMemoryExporter>(sink), Resource{}));
    provider = TracerProvider::Create(std::move(o));
    tracer = provider->GetTracer("test.scope", "1.0");
  }
};

TEST(Tracer, RootSpanHasFreshIdsAndNoParent) {
  Fixture f;
  Span s = f.tracer.StartSpan("root");
  ASSERT_TRUE(s.IsRecording());
  EXPECT_TRUE(s.context().IsValid());
  EXPECT_TRUE(s.context().IsSampled());
  EXPECT_TRUE(s.context().trace_flags().random_trace_id());
  s.End();
  auto spans = f.sink->Take();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_FALSE(spans[0].parent_span_id.IsValid());
  EXPECT_EQ(spans[0].name, "root");
  EXPECT_EQ(spans[0].scope->name, "test.scope");
  EXPECT_EQ(spans[0].scope->version, "1.0");
  EXPECT_LE(spans[0].start_time_unix_nano, spans[0].end_time_unix_nano);
}

TEST(Tracer, ChildOfCurrentSpanSharesTraceAndLinksParent) {
  Fixture f;
  Span parent = f.tracer.StartSpan("parent");
  {
    Scope scope = parent.Activate();
    Span child = f.tracer.StartSpan("child", {.kind = SpanKind::kClient});
    EXPECT_EQ(child.context().trace_id(), parent.context().trace_id());
    child.End();
  }
  parent.End();
  auto spans = f.sink->Take();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "child");
  EXPECT_EQ(spans[0].kind, SpanKind::kClient);
  EXPECT_EQ(spans[0].parent_span_id, spans[1].context.span_id());
  EXPECT_FALSE(spans[0].parent_is_remote);
  EXPECT_EQ(spans[0].OtlpFlags(), 0x103u);
}

TEST(Tracer, ExplicitParentWinsOverCurrentAndRootWinsOverBoth) {
  Fixture f;
  Span a = f.tracer.StartSpan("a");
  Span b = f.tracer.StartSpan("b");
  Scope scope = a.Activate();
  Context bctx = b.ToContext();
  Span c = f.tracer.StartSpan("c", {.parent = &bctx});
  EXPECT_EQ(c.context().trace_id(), b.context().trace_id());
  Span d = f.tracer.StartSpan("d", {.root = true});
  EXPECT_NE(d.context().trace_id(), a.context().trace_id());
  EXPECT_NE(d.context().trace_id(), b.context().trace_id());
}

TEST(Tracer, RemoteParentCopiesRandomFlagAndTraceState) {
  Fixture f;
  TraceState ts;
  ASSERT_TRUE(TraceState::Parse("vendor=abc", &ts));
  SpanContext remote(*TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736"),
                     *SpanId::FromHex("00f067aa0ba902b7"), TraceFlags{0x01}, true, ts);
  Context ctx(remote);
  Span s = f.tracer.StartSpan("server", {.kind = SpanKind::kServer, .parent = &ctx});
  EXPECT_FALSE(s.context().trace_flags().random_trace_id());  // parent had it unset
  EXPECT_EQ(s.context().trace_state().Get("vendor"), "abc");
  s.End();
  auto spans = f.sink->Take();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_TRUE(spans[0].parent_is_remote);
  EXPECT_EQ(spans[0].OtlpFlags(), 0x301u);
  EXPECT_EQ(spans[0].parent_span_id.ToHex(), "00f067aa0ba902b7");
}

TEST(Tracer, AttributesOverwriteByKeyAndRespectLimits) {
  auto limits = std::make_shared<SpanLimits>();
  limits->attribute_count = 3;
  limits->attribute_value_length = 4;
  Fixture f(AlwaysOnSampler(), limits);
  Span s = f.tracer.StartSpan("s");
  s.SetAttribute("a", "abcdefgh").SetAttribute("b", int64_t{1}).SetAttribute("a", true);
  s.SetAttribute("c", 2.5).SetAttribute("d", "dropped").SetAttribute("e", 7);
  s.SetAttribute("b", AttrValue(std::vector<int64_t>{1, 2}));
  s.End();
  auto spans = f.sink->Take();
  ASSERT_EQ(spans.size(), 1u);
  const auto& attrs = spans[0].attributes;
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(attrs[0].key, "a");
  EXPECT_EQ(std::get<bool>(attrs[0].value), true);
  EXPECT_EQ(std::get<std::vector<int64_t>>(attrs[1].value), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(std::get<double>(attrs[2].value), 2.5);
  EXPECT_EQ(spans[0].dropped_attributes_count, 2u);
}

// Enough keys that the span's new-key filter has collisions; every key set
// twice (once after the span was moved) must still be one attribute.
TEST(Tracer, EveryKeySetTwiceIsOneAttributeEvenAfterAMove) {
  Fixture f(AlwaysOnSampler());
  Span s = f.tracer.StartSpan("s");
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i) {
    keys.push_back("key." + std::string(static_cast<size_t>(i % 7), 'x') + std::to_string(i));
  }
  for (const auto& k : keys) s.SetAttribute(k, int64_t{1});
  Span moved = std::move(s);
  for (const auto& k : keys) moved.SetAttribute(k, int64_t{2});
  moved.End();
  auto spans = f.sink->Take();
  ASSERT_EQ(spans.size(), 1u);
  ASSERT_EQ(spans[0].attributes.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(spans[0].attributes[i].key, keys[i]);
    EXPECT_EQ(std::get<int64_t>(spans[0].attributes[i].value), 2);
  }
}

TEST(Tracer, StringValuesAreTruncatedAtTheLengthLimitOnUtf8Boundaries) {
  auto limits = std::make_shared<SpanLimits>();
  limits->attribute_value_length = 4;
  Fixture f(AlwaysOnSampler(), limits);
  Span s = f.tracer.StartSpan("s");
  s.SetAttribute("ascii", "abcdefgh").SetAttribute("utf8", "ab\xc3\xa9z");  // "abéz"
  s.End();
  auto spans = f.sink->Take();
  EXPECT_EQ(std::get<std::string>(spans[0].attributes[0].value), "abcd");
  EXPECT_EQ(std::get<std::string>(spans[0].attributes[1].value), "ab\xc3\xa9");
}

TEST(Tracer, ReusedSpanDataDoesNotLeakAttributesIntoTheNextSpan) {
  Fixture f;
  {
    Span s = f.tracer.StartSpan("first");
    s.SetAttribute("x", 1).SetAttribute("y", 2).SetAttribute("z", 3);
    s.AddEvent("e");
    s.SetStatus(SpanStatusCode::kError, "boom");
  }
  {
    Span s = f.tracer.StartSpan("second");
    s.SetAttribute("only", "one");
  }
  auto spans = f.sink->Take();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[1].attributes.size(), 1u);
  EXPECT_TRUE(spans[1].events.empty());
  EXPECT_EQ(spans[1].status_code, SpanStatusCode::kUnset);
  EXPECT_TRUE(spans[1].status_message.empty());
}

TEST(Tracer, EventsExceptionsLinksAndStatus) {
  Fixture f;
  Span other = f.tracer.StartSpan("other");
  Span s = f.tracer.StartSpan("s", {.attributes = {{"start.attr", "v"}},
                                    .links = {SpanLink{other.context(), {}, 0}}});
  s.AddEvent("cache.miss", {{"key", "user:42"}}, 1234);
  s.RecordException(std::runtime_error("db down"));
  s.SetStatus(SpanStatusCode::kError, "db down");
  s.SetStatus(SpanStatusCode::kUnset);  // ignored
  s.End(s.IsRecording() ? NowUnixNano() + 1000 : 0);
  auto spans = f.sink->Take();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& d = spans[0];
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[0].name, "cache.miss");
  EXPECT_EQ(d.events[0].time_unix_nano, 1234u);
  EXPECT_EQ(d.events[1].name, "exception");
  EXPECT_EQ(d.events[1].attributes[0].key, "exception.type");
  EXPECT_EQ(std::get<std::string>(d.events[1].attributes[0].value), "std::runtime_error");
  EXPECT_EQ(std::get<std::string>(d.events[1].attributes[1].value), "db down");
  ASSERT_EQ(d.links.size(), 1u);
  EXPECT_EQ(d.links[0].context.span_id(), other.context().span_id());
  EXPECT_EQ(d.status_code, SpanStatusCode::kError);
  EXPECT_EQ(d.status_message, "db down");
  EXPECT_EQ(d.attributes[0].key, "start.attr");
}

TEST(Tracer, OkStatusIsFinal) {
  Fixture f;
  { Span s = f.tracer.StartSpan("s"); s.SetStatus(SpanStatusCode::kOk, "ignored"); s.SetStatus(SpanStatusCode::kError, "x"); }
  auto spans = f.sink->Take();
  EXPECT_EQ(spans[0].status_code, SpanStatusCode::kOk);
  EXPECT_TRUE(spans[0].status_message.empty());
}

TEST(Tracer, UnsampledSpanPropagatesButRecordsNothing) {
  Fixture f(AlwaysOffSampler());
  Span s = f.tracer.StartSpan("dropped");
  EXPECT_FALSE(s.IsRecording());
  EXPECT_TRUE(s.context().IsValid());
  EXPECT_FALSE(s.context().IsSampled());
  s.SetAttribute("k", "v").AddEvent("e");
  s.End();
  EXPECT_TRUE(f.sink->Take().empty());
}

TEST(Tracer, ParentBasedFollowsTheRemoteDecision) {
  Fixture f(ParentBasedSampler(AlwaysOnSampler()));
  SpanContext remote(NewTraceId(), NewSpanId(), TraceFlags{0x00}, true);
  Context ctx(remote);
  Span s = f.tracer.StartSpan("s", {.parent = &ctx});
  EXPECT_FALSE(s.IsRecording());
  EXPECT_EQ(s.context().trace_id(), remote.trace_id());
}

TEST(Tracer, NoProviderMeansNoOpThatKeepsTheParentContext) {
  Tracer noop;
  SpanContext remote(NewTraceId(), NewSpanId(), TraceFlags{0x01}, true);
  Context ctx(remote);
  Span s = noop.StartSpan("x", {.parent = &ctx});
  EXPECT_FALSE(s.IsRecording());
  EXPECT_EQ(s.context(), remote);
  EXPECT_FALSE(noop.StartSpan("y").context().IsValid());
}

TEST(Tracer, MovedSpanEndsOnce) {
  Fixture f;
  {
    Span a = f.tracer.StartSpan("a");
    Span b = std::move(a);
    Span c;
    c = std::move(b);
  }
  EXPECT_EQ(f.sink->Take().size(), 1u);
}

TEST(Tracer, SameNameAndVersionGiveTheSameScope) {
  Fixture f;
  { Span a = f.provider->GetTracer("x").StartSpan("a"); }
  { Span b = f.provider->GetTracer("x").StartSpan("b"); }
  auto spans = f.sink->Take();
  EXPECT_EQ(spans[0].scope, spans[1].scope);
}

TEST(GlobalTracerProvider, GetTracerFollowsTheInstalledProvider) {
  Fixture a, b;
  SetGlobalTracerProvider(a.provider);
  { Span s = GetTracer("global.scope").StartSpan("to-a"); }
  SetGlobalTracerProvider(b.provider);
  { Span s = GetTracer("global.scope").StartSpan("to-b"); }
  SetGlobalTracerProvider(nullptr);
  EXPECT_FALSE(GetTracer("global.scope").StartSpan("nowhere").IsRecording());
  auto in_a = a.sink->Take();
  auto in_b = b.sink->Take();
  ASSERT_EQ(in_a.size(), 1u);
  ASSERT_EQ(in_b.size(), 1u);
  EXPECT_EQ(in_a[0].name, "to-a");
  EXPECT_EQ(in_b[0].name, "to-b");
}

TEST(Context, WrapRunsTheCallableInsideTheCapturedContext) {
  Fixture f;
  Span s = f.tracer.StartSpan("task.parent");
  std::function<SpanContext()> task;
  {
    Scope scope = s.Activate();
    task = Wrap([] { return Context::Current().span_context(); });
  }
  SpanContext seen;
  std::thread t([&] { seen = task(); });
  t.join();
  EXPECT_EQ(seen.span_id(), s.context().span_id());
  EXPECT_FALSE(Context::Current().span_context().IsValid());
}

TEST(Context, ScopesNestAndRestore) {
  SpanContext a(NewTraceId(), NewSpanId(), {}, false), b(NewTraceId(), NewSpanId(), {}, false);
  {
    Scope sa{Context(a)};
    EXPECT_EQ(Context::Current().span_context(), a);
    {
      Scope sb{Context(b)};
      EXPECT_EQ(Context::Current().span_context(), b);
    }
    EXPECT_EQ(Context::Current().span_context(), a);
  }
  EXPECT_FALSE(Context::Current().span_context().IsValid());
}

// A sampler the SDK knows nothing about: decides from the span name.
class NameSampler final : public Sampler {
 public:
  SamplingDecision ShouldSample(const SamplingParams& p) noexcept override {
    return p.name.size() % 2 == 0 ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
  }
  std::string Description() const override { return "NameSampler"; }
};

// StartSpan decides for the built-in samplers without calling them; its
// decisions must be the samplers' own, for roots and for sampled and
// unsampled parents alike.
TEST(Tracer, SamplingDecisionsMatchTheSamplers) {
  const std::vector<std::shared_ptr<Sampler>> samplers = {
      AlwaysOnSampler(),
      AlwaysOffSampler(),
      TraceIdRatioSampler(0.3),
      TraceIdRatioSampler(1.0),
      TraceIdRatioSampler(0.0),
      ParentBasedSampler(AlwaysOnSampler()),
      ParentBasedSampler(AlwaysOffSampler()),
      ParentBasedSampler(TraceIdRatioSampler(0.5)),
      ParentBasedSampler(std::make_shared<NameSampler>()),
      std::make_shared<NameSampler>(),
  };
  for (const auto& sampler : samplers) {
    Fixture f(sampler);
    for (int i = 0; i < 300; ++i) {
      const std::string name(static_cast<size_t>(i % 7), 'x');
      Context parent;
      if (i % 3 != 0) {
        parent = Context(SpanContext(NewTraceId(), NewSpanId(),
                                     TraceFlags{static_cast<uint8_t>(i % 3 == 1 ? 1 : 0)}, true));
      }
      Span s = f.tracer.StartSpan(name, {.parent = &parent});
      const SamplingDecision expected = sampler->ShouldSample(
          SamplingParams{parent.span_context(), s.context().trace_id(), name, SpanKind::kInternal});
      ASSERT_EQ(s.context().IsSampled(), expected == SamplingDecision::kRecordAndSample)
          << sampler->Description() << " span " << i;
      ASSERT_EQ(s.IsRecording(), expected != SamplingDecision::kDrop)
          << sampler->Description() << " span " << i;
      if (parent.span_context().IsValid()) {
        ASSERT_EQ(s.context().trace_id(), parent.span_context().trace_id());
      }
    }
  }
}

SpanContext RandomSpanContext() {
  return SpanContext(NewTraceId(), NewSpanId(), TraceFlags{0x01}, false);
}

// The outer scope ends first: the inner one stays current while it lives,
// and once both are gone the thread is back to no context (not the outer
// scope's, as restoring saved values would leave it).
TEST(Context, ScopesDestroyedOutOfOrderLeaveTheRightContext) {
  const SpanContext a = RandomSpanContext(), b = RandomSpanContext(), c = RandomSpanContext();
  auto sa = std::make_unique<Scope>(Context(a));
  auto sb = std::make_unique<Scope>(Context(b));
  auto sc = std::make_unique<Scope>(Context(c));
  sb.reset();  // middle first
  EXPECT_EQ(Context::Current().span_context(), c);
  sa.reset();
  EXPECT_EQ(Context::Current().span_context(), c);
  sc.reset();
  EXPECT_FALSE(Context::Current().span_context().IsValid());

  auto s1 = std::make_unique<Scope>(Context(a));
  auto s2 = std::make_unique<Scope>(Context(b));
  s1.reset();
  EXPECT_EQ(Context::Current().span_context(), b);
  {
    Scope s3{Context(c)};  // pushed above an ended entry
    EXPECT_EQ(Context::Current().span_context(), c);
  }
  EXPECT_EQ(Context::Current().span_context(), b);
  s2.reset();
  EXPECT_FALSE(Context::Current().span_context().IsValid());
}

// Deeper than the inline part of the stack: contexts come back in order,
// including those beyond the inline part of the stack.
TEST(Context, DeepScopeStacksRestoreEveryLevel) {
  constexpr int kDepth = 100;
  std::vector<SpanContext> contexts;
  std::vector<std::unique_ptr<Scope>> scopes;
  for (int i = 0; i < kDepth; ++i) {
    contexts.push_back(RandomSpanContext());
    scopes.push_back(std::make_unique<Scope>(Context(contexts.back())));
    ASSERT_EQ(Context::Current().span_context(), contexts.back());
  }
  for (int i = kDepth - 1; i >= 0; --i) {
    ASSERT_EQ(Context::Current().span_context(), contexts[i]) << i;
    scopes.pop_back();
  }
  EXPECT_FALSE(Context::Current().span_context().IsValid());
}

// A scope destroyed on another thread must not disturb either thread.
TEST(Context, ScopeDestroyedOnAnotherThreadIsHarmless) {
  const SpanContext a = RandomSpanContext(), b = RandomSpanContext();
  SpanContext seen_by_owner, seen_by_other;
  std::thread owner([&] {
    auto sa = std::make_unique<Scope>(Context(a));
    std::thread other([&] {
      Scope mine{Context(b)};
      sa.reset();
      seen_by_other = Context::Current().span_context();
    });
    other.join();
    // The owner's entry is left behind (abandoned), as documented.
    seen_by_owner = Context::Current().span_context();
  });
  owner.join();
  EXPECT_EQ(seen_by_other, b);
  EXPECT_EQ(seen_by_owner, a);
}

}  // namespace
}  // namespace callpath
