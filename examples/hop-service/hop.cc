#include "hop.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <simdjson.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "callpath/async.h"
#include "callpath/grpc/interceptors.h"
#include "callpath/http/beast.h"
#include "callpath/http/httplib.h"
#include "callpath/messaging.h"
#include "callpath/trace.h"
#include "hop.grpc.pb.h"
#include "json_text.h"

namespace hop {
namespace {

namespace bhttp = boost::beast::http;
using boost::asio::ip::tcp;

// What the last gRPC call made on this thread sent as traceparent (the
// interceptor runs on the calling thread for a synchronous call).
thread_local std::string tl_grpc_sent;

class SentRecorder final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    using grpc::experimental::InterceptionHookPoints;
    if (m->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      if (auto* md = m->GetSendInitialMetadata()) {
        auto it = md->find("traceparent");
        tl_grpc_sent = it == md->end() ? "" : it->second;
      }
    }
    m->Proceed();
  }
};
class SentRecorderFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new SentRecorder;
  }
};

struct Downstream {
  int status = 0;          // HTTP status, or 200/503 for gRPC OK/non-OK; 0: no answer
  std::string body;
  std::string traceparent_sent;
};

std::string HostPortOf(const std::string& url) {
  size_t p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  return rest.substr(0, rest.find('/'));
}

Downstream CallBeast(const std::string& next) {
  Downstream d;
  callpath::http::UrlParts url = callpath::http::ParseUrl(next + "/hop");
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/hop", 11};
  req.set(bhttp::field::host, HostPortOf(next));
  req.set(bhttp::field::user_agent, "hop-service/beast");
  callpath::http::beast::ClientRequest call(req, next + "/hop");
  d.traceparent_sent = std::string(req["traceparent"]);
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    boost::beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve(url.host, std::to_string(url.port)));
    bhttp::write(stream, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    d.status = static_cast<int>(res.result_int());
    d.body = res.body();
    call.Finish(res);
    boost::beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const boost::system::system_error& e) {
    call.Fail(e.code() == boost::asio::error::connection_refused ? "connection_refused"
                                                                  : "_OTHER",
              e.what());
  }
  return d;
}

Downstream CallHttplib(const std::string& next) {
  Downstream d;
  callpath::http::TracedClient client(next);
  client.client().set_connection_timeout(30);
  client.client().set_read_timeout(60);
  httplib::Result r = client.Get("/hop", {{"User-Agent", "hop-service/httplib"}});
  d.traceparent_sent = r.get_request_header_value("traceparent");
  if (r) {
    d.status = r->status;
    d.body = r->body;
  }
  return d;
}

}  // namespace

struct Hopper::Impl {
  callpath::Tracer tracer = callpath::GetTracer("hop-service");
  callpath::ThreadPool pool{2};
  std::unique_ptr<callpath::hop::Hop::Stub> stub;

  // The message hop: an in-process queue drained by one consumer thread.
  struct Message {
    callpath::MessageHeaders headers;
    std::promise<std::string>* done;  // the consumer's trace id, for the reply
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Message> queue;
  bool stopping = false;
  std::thread consumer;

  void Consume() {
    for (;;) {
      Message m;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;
        m = std::move(queue.front());
        queue.pop_front();
      }
      callpath::Span process = callpath::StartConsumerSpan(tracer, "inventory", m.headers,
                                                           callpath::ConsumerParent::kChild,
                                                           {.system = "memory"});
      callpath::Scope scope = process.Activate();
      callpath::Span reserve = tracer.StartSpan("inventory.reserve");
      reserve.End();
      process.End();
      m.done->set_value(process.context().trace_id().ToHex());
    }
  }

  Downstream Call(const Config& config) {
    if (config.next.rfind("grpc://", 0) == 0) {
      Downstream d;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      callpath::hop::HopRequest req;
      callpath::hop::HopReply reply;
      grpc::Status st = stub->Call(&ctx, req, &reply);
      d.traceparent_sent = tl_grpc_sent;
      d.status = st.ok() ? 200 : 503;
      d.body = st.ok() ? reply.json() : "";
      return d;
    }
    return config.server == "beast" ? CallBeast(config.next) : CallHttplib(config.next);
  }

  // A thread-pool hop and a message hop; returns "pool:<trace>,message:<trace>".
  std::string AsyncHops() {
    auto pooled = pool.Submit([this] {
      callpath::Span work = tracer.StartSpan("hop.pool-task");
      return work.context().trace_id().ToHex();
    });
    std::promise<std::string> consumed;
    {
      callpath::MessageHeaders headers;
      callpath::Span send = callpath::StartProducerSpan(tracer, "inventory", headers,
                                                        {.system = "memory"});
      {
        std::lock_guard<std::mutex> lock(mu);
        queue.push_back({std::move(headers), &consumed});
      }
      cv.notify_one();
      send.End();
    }
    std::string pool_trace = pooled.get();
    std::string message_trace = consumed.get_future().get();
    return pool_trace + "," + message_trace;
  }
};

Hopper::Hopper(Config config) : config_(std::move(config)), impl_(std::make_unique<Impl>()) {
  if (config_.next.rfind("grpc://", 0) == 0) {
    std::string target = config_.next.substr(7);
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> f;
    f.push_back(std::make_unique<callpath::grpc::ClientInterceptorFactory>(
        callpath::grpc::ClientOptions{.target = target}));
    f.push_back(std::make_unique<SentRecorderFactory>());
    impl_->stub = callpath::hop::Hop::NewStub(grpc::experimental::CreateCustomChannelWithInterceptors(
        target, grpc::InsecureChannelCredentials(), grpc::ChannelArguments(), std::move(f)));
  }
  if (config_.async) impl_->consumer = std::thread([this] { impl_->Consume(); });
}

Hopper::~Hopper() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->consumer.joinable()) impl_->consumer.join();
}

Answer Hopper::Handle(const std::string& traceparent_received) {
  Answer answer;
  const callpath::SpanContext& here = callpath::Context::Current().span_context();
  std::string async_traces;
  if (config_.async) async_traces = impl_->AsyncHops();

  Downstream down;
  std::string downstream_json = "null";
  if (!config_.next.empty()) {
    down = impl_->Call(config_);
    answer.downstream_failed = down.status == 0 || down.status >= 500;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (!down.body.empty() && !parser.parse(down.body).get(doc) && doc.is_object()) {
      downstream_json = simdjson::minify(doc);
    }
  }

  std::string& out = answer.json;
  out = "{\"service\":";
  AppendJsonString(out, config_.name);
  out += ",\"traceparent_received\":";
  if (traceparent_received.empty()) out += "null"; else AppendJsonString(out, traceparent_received);
  out += ",\"trace_id\":";
  AppendJsonString(out, here.trace_id().ToHex());
  out += ",\"span_id\":";
  AppendJsonString(out, here.span_id().ToHex());
  out += ",\"traceparent_sent\":";
  if (down.traceparent_sent.empty()) out += "null"; else AppendJsonString(out, down.traceparent_sent);
  if (config_.async) {
    size_t comma = async_traces.find(',');
    out += ",\"pool_trace_id\":";
    AppendJsonString(out, async_traces.substr(0, comma));
    out += ",\"message_trace_id\":";
    AppendJsonString(out, async_traces.substr(comma + 1));
  }
  out += ",\"downstream_status\":" + std::to_string(down.status);
  out += ",\"downstream\":" + downstream_json + "}";
  return answer;
}

}  // namespace hop
