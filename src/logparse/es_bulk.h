// A decoder for the subset of Elasticsearch's _bulk API that log shippers
// use (Filebeat, Fluent Bit's es output, Logstash, rsyslog's omelasticsearch,
// the official clients' bulk helpers): NDJSON pairs of an action line and a
// document line.
//
//   {"index":{"_index":"logs","_id":"1"}}    or {"create":{...}}
//   {"@timestamp":"…","message":"…","trace.id":"…",...}
//
// Each document is parsed as a JSON log line (json_line.h: ECS names such
// as log.level, service.name and trace.id, nested or dotted, are read);
// its index becomes the resource attribute elasticsearch.index. "delete"
// and "update" actions are answered per item as unsupported (delete has
// no document line; update's line is skipped), never stored. Pure;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "logparse/pushed_logs.h"

namespace callpath::logparse {

// One action's result, in request order, for the _bulk response.
struct BulkItem {
  std::string action;  // "index", "create", "delete", "update"
  std::string index;
  std::string id;      // the action's _id, or one made up for the response
  int status = 201;    // 201 stored; 400 a document that is not a JSON object; 501 unsupported action
  std::string error_type;
  std::string error_reason;
};

// InvalidArgument (with the line number) when an action line is not an
// action object: the request cannot be split into items. `default_index`
// is the {index} of /{index}/_bulk, or "".
Status DecodeEsBulk(std::string_view body, std::string_view default_index, PushedLogs* out,
                    std::vector<BulkItem>* items);

// The _bulk response: {"took":…,"errors":…,"items":[{"index":{…,"status":201}},…]}.
std::string EsBulkResponse(const std::vector<BulkItem>& items, uint64_t took_ms);

}  // namespace callpath::logparse
