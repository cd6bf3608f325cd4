#include "gateway/forward.h"

#include "gateway/http_text.h"
#include "gateway/request_telemetry.h"
#include "gateway/upstream_attempt.h"
#include "gateway/upstream_request.h"

namespace callpath::gateway {
namespace {

std::string_view OutcomeName(AttemptOutcome o) {
  return o == AttemptOutcome::kResponse ? std::string_view("response") : ErrorTypeFor(o);
}

// Counts the retry and waits out its backoff.
Task<void> BeforeRetry(WorkerIo& io, const Route& route, const UpstreamState& up, int attempt) {
  io.shared.metrics().CountRetry(up.config().name);
  const Millis wait = BackoffBefore(route.retries, attempt);
  if (wait.count() > 0) {
    beast::error_code ec;
    Timer timer(io.executor(), wait);
    co_await timer.async_wait(Token(ec));
  }
}

}  // namespace

Task<bool> Forward(WorkerIo& io, Runtime& rt, const Route& route, Exchange& ex,
                   const Context& server_ctx, const ClientAddress& client, bool trusted_client,
                   Outcome& outcome) {
  UpstreamState& up = rt.upstream(route.upstream);
  outcome.upstream = up.config().name;
  // Counted for the retry budget while this request runs.
  struct InFlight {
    UpstreamState& up;
    bool retrying = false;
    explicit InFlight(UpstreamState& u) : up(u) { up.in_flight.fetch_add(1, std::memory_order_relaxed); }
    ~InFlight() {
      up.in_flight.fetch_sub(1, std::memory_order_relaxed);
      if (retrying) up.retrying.fetch_sub(1, std::memory_order_relaxed);
    }
  } in_flight(up);
  const Message& req = ex.request;
  const std::string_view method = req.method();

  // The head is built once; only the propagation fields change between
  // attempts.
  BuildUpstreamPrefix(ex.upstream_head, req, route, rt, client, trusted_client);
  const size_t prefix_size = ex.upstream_head.size();
  const size_t target_size = ex.upstream_head.find(' ', method.size() + 1) - (method.size() + 1);
  const bool send_length = SendsContentLength(method, req.body().size());
  AttemptRequest request{.head = &ex.upstream_head,
                         .body = &req.body(),
                         .head_request = method == "HEAD",
                         .idempotent = IsIdempotentMethod(method),
                         .deadline = {},  // per attempt
                         .max_body = rt.config().max_body_bytes};

  const Tracer& tracer = io.shared.tracer();
  const std::string_view sem_method = SemconvMethod(method);
  const EndpointState* last = nullptr;
  AttemptResult result;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) co_await BeforeRetry(io, route, up, attempt);
    EndpointState* ep = up.Pick(last);
    Span span = tracer.StartSpan(sem_method, {.kind = SpanKind::kClient, .parent = &server_ctx});
    if (span.IsRecording()) {
      const std::string_view target =
          std::string_view(ex.upstream_head).substr(method.size() + 1, target_size);
      SetClientRequestAttributes(span, method, *ep, up, target, attempt, ex.scratch);
    }
    ex.upstream_head.resize(prefix_size);
    FinishUpstreamHead(ex.upstream_head, rt, Context(span.context(), server_ctx.baggage()),
                       send_length, req.body().size());

    const Clock::time_point t0 = Clock::now();
    request.deadline = t0 + route.timeout;
    result = co_await RunAttempt(io, *ep, up, request, ex.upstream_res);
    io.shared.metrics().ObserveAttempt(up.config().name, OutcomeName(result.outcome),
                                       std::chrono::duration<double>(Clock::now() - t0).count());
    SetClientResultAttributes(span, result);
    span.End();
    outcome.attempts = attempt;
    if (!ShouldRetry(route.retries, method, result, attempt) || io.shared.stopping()) break;
    if (!in_flight.retrying) {
      if (!RetryBudgetAllows(route.retries, up.in_flight.load(std::memory_order_relaxed),
                             up.retrying.load(std::memory_order_relaxed))) {
        io.shared.metrics().CountRetryRefused(up.config().name);
        break;
      }
      in_flight.retrying = true;
      up.retrying.fetch_add(1, std::memory_order_relaxed);
    }
    last = ep;
  }

  if (result.outcome != AttemptOutcome::kResponse) {
    outcome.failure = result.outcome;
    outcome.error_type = ErrorTypeFor(result.outcome);
    co_return false;
  }
  co_return true;
}

}  // namespace callpath::gateway
