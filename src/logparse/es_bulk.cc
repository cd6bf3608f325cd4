#include "logparse/es_bulk.h"

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>

#include "logparse/json_line.h"
#include "text/json_writer.h"

namespace callpath::logparse {
namespace {

constexpr std::string_view kIndexAttribute = "elasticsearch.index";

// Ids Elasticsearch would have generated: unique within this process.
std::string MadeUpId() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t epoch = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "cp%016llx%08llx", static_cast<unsigned long long>(epoch),
                        static_cast<unsigned long long>(counter.fetch_add(1, std::memory_order_relaxed)));
  return std::string(buf, static_cast<size_t>(n));
}

std::string_view NextLine(std::string_view body, size_t* pos) {
  size_t nl = body.find('\n', *pos);
  size_t end = nl == std::string_view::npos ? body.size() : nl;
  std::string_view line = body.substr(*pos, end - *pos);
  *pos = nl == std::string_view::npos ? body.size() : nl + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool IsBlank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

// Reads {"<action>":{"_index":"…","_id":"…"}} into `item`.
Status ReadAction(simdjson::dom::parser& parser, std::string_view line, size_t line_no,
                  std::string_view default_index, BulkItem* item) {
  simdjson::dom::object obj;
  auto fail = [&](std::string_view why) {
    return InvalidArgument("malformed _bulk action on line " + std::to_string(line_no) + ": " + std::string(why));
  };
  if (parser.parse(line.data(), line.size(), true).get_object().get(obj) || obj.size() != 1)
    return fail("expected one object such as {\"index\":{}}");
  auto field = *obj.begin();
  item->action = std::string(field.key);
  if (item->action != "index" && item->action != "create" && item->action != "delete" && item->action != "update")
    return fail("unknown action '" + item->action + "'");
  simdjson::dom::object meta;
  if (field.value.get_object().get(meta)) return fail("the action's value must be an object");
  std::string_view index = default_index, id;
  if (meta["_index"].get_string().get(index) != simdjson::SUCCESS) index = default_index;
  if (!meta["_id"].get_string().get(id)) item->id = std::string(id);
  item->index = std::string(index);
  if (item->id.empty()) item->id = MadeUpId();
  return Status::Ok();
}

}  // namespace

Status DecodeEsBulk(std::string_view body, std::string_view default_index, PushedLogs* out,
                    std::vector<BulkItem>* items) {
  thread_local simdjson::dom::parser action_parser;
  thread_local JsonLineParser doc_parser;
  std::map<std::string, size_t, std::less<>> stream_of_index;
  size_t pos = 0, line_no = 0;
  while (pos < body.size()) {
    std::string_view line = NextLine(body, &pos);
    ++line_no;
    if (IsBlank(line)) continue;
    BulkItem item;
    CALLPATH_RETURN_IF_ERROR(ReadAction(action_parser, line, line_no, default_index, &item));
    if (item.action == "delete" || item.action == "update") {
      if (item.action == "update") (void)NextLine(body, &pos), ++line_no;
      item.status = 501;
      item.error_type = "illegal_argument_exception";
      item.error_reason = "callpathd stores logs: only index and create actions are supported";
      items->push_back(std::move(item));
      continue;
    }
    if (pos >= body.size()) return InvalidArgument("_bulk action on line " + std::to_string(line_no) + " has no document line");
    std::string_view doc = NextLine(body, &pos);
    ++line_no;
    ParsedLog record;
    if (!doc_parser.Parse(doc, &record)) {
      item.status = 400;
      item.error_type = "mapper_parsing_exception";
      item.error_reason = "document on line " + std::to_string(line_no) + " is not a JSON object";
      items->push_back(std::move(item));
      continue;
    }
    auto [it, fresh] = stream_of_index.try_emplace(item.index, out->streams.size());
    if (fresh) {
      LogStream stream;
      stream.source.scope_name = "elasticsearch-bulk";
      stream.source.default_service = kUnknownService;
      if (!item.index.empty()) stream.source.resource.push_back({std::string(kIndexAttribute), item.index});
      out->streams.push_back(std::move(stream));
    }
    out->streams[it->second].records.push_back(std::move(record));
    items->push_back(std::move(item));
  }
  return Status::Ok();
}

std::string EsBulkResponse(const std::vector<BulkItem>& items, uint64_t took_ms) {
  bool errors = false;
  for (const BulkItem& i : items) errors |= i.status >= 300;
  text::JsonWriter j;
  j.BeginObject();
  j.FieldUint("took", took_ms);
  j.FieldBool("errors", errors);
  j.Key("items");
  j.BeginArray();
  for (const BulkItem& i : items) {
    j.BeginObject();
    j.Key(i.action);
    j.BeginObject();
    j.Field("_index", i.index);
    j.Field("_id", i.id);
    if (i.status < 300) {
      j.FieldInt("_version", 1);
      j.Field("result", "created");
      j.Key("_shards");
      j.BeginObject();
      j.FieldInt("total", 1);
      j.FieldInt("successful", 1);
      j.FieldInt("failed", 0);
      j.EndObject();
      j.FieldInt("_seq_no", 0);
      j.FieldInt("_primary_term", 1);
    } else {
      j.Key("error");
      j.BeginObject();
      j.Field("type", i.error_type);
      j.Field("reason", i.error_reason);
      j.EndObject();
    }
    j.FieldInt("status", i.status);
    j.EndObject();
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.Take();
}

}  // namespace callpath::logparse
