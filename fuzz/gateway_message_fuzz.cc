// Feeds arbitrary bytes to the gateway's HTTP/1.1 message parser, as a
// request (from a client) and as a response (from an upstream), whole and
// split at a point the input chooses (a message arrives over several reads).
// It must never crash; a message it completes must read back consistently
// through Message and MessageCarrier. Half the inputs parse against a small
// request bytes budget: a completed body must then fit it.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/byte_budget.h"
#include "gateway/message.h"
#include "gateway/message_parser.h"

namespace {

using callpath::gateway::Message;
using callpath::gateway::MessageCarrier;
using callpath::gateway::MessageParser;

constexpr uint64_t kBudget = 4096;

template <bool isRequest>
void ParseAndCheck(std::string_view bytes, size_t split, bool budgeted) {
  Message m;
  MessageParser<isRequest> parser(m);
  parser.SetLimits(1 << 20);
  callpath::ByteBudget budget(kBudget);
  callpath::BudgetLease lease(&budget);
  if (budgeted) parser.SetBudget(&lease);
  boost::beast::error_code ec;
  size_t used = 0;
  for (const size_t end : {split, bytes.size()}) {
    // Bytes the parser did not take wait for the next read, as on a socket.
    while (used < end && !ec && !parser.is_done()) {
      const size_t n = parser.put(boost::asio::const_buffer(bytes.data() + used, end - used), ec);
      if (ec == boost::beast::http::error::need_more) {
        ec = {};
        break;
      }
      if (n == 0) break;
      used += n;
    }
  }
  // The peer closes: that completes a body that runs to the end of the
  // connection, as the gateway's read loop does.
  if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return;
  // A complete message: every field is findable by its own name, and the
  // carrier agrees with the message.
  MessageCarrier carrier(m);
  if (carrier.Keys().size() != m.field_count()) std::abort();
  for (size_t i = 0; i < m.field_count(); ++i) {
    if (m.Count(m.field_name(i)) == 0) std::abort();
    if (carrier.Get(m.field_name(i)) != m.Get(m.field_name(i))) std::abort();
  }
  if (m.body().size() > (1u << 20)) std::abort();  // the body limit holds
  if (budgeted && (m.body().size() > kBudget || parser.over_budget())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte chooses the split point; the rest is the message.
  const size_t split = size > 1 ? data[0] % size : 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t at = split < bytes.size() ? split : bytes.size();
  const bool budgeted = (data[0] & 0x80) != 0;
  ParseAndCheck<true>(bytes, at, budgeted);
  ParseAndCheck<false>(bytes, at, budgeted);
  return 0;
}
