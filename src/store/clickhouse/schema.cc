#include "store/clickhouse/schema.h"

namespace callpath::store::ch {

namespace {

// A Nested attribute list: key, Value::Type, Value::AsText.
// Tables read by trace id use granules of 1024 rows, not 8192: a trace's
// few rows then cost an eighth of the attribute bytes to decompress.
constexpr const char* kAttrs = "Nested(key String, type UInt8, value String)";

std::string Name(bool low_cardinality) { return low_cardinality ? "LowCardinality(String)" : "String"; }

}  // namespace

const char* const kSpanColumns =
    "trace_id, start_ns, span_id, parent_span_id, service, operation, kind, duration_ns, status, "
    "status_message, flags, trace_state, attr.key, attr.type, attr.value, res.key, res.type, res.value, "
    "resource, events.time_ns, events.name, event_attr.event, event_attr.key, event_attr.type, event_attr.value, "
    "links.trace_id, links.span_id, links.trace_state, link_attr.link, link_attr.key, link_attr.type, "
    "link_attr.value, scope_name, scope_version, writer, version, seq";

const char* const kResourceColumns = "day, resource, res.key, res.type, res.value";

const char* const kSpanSummaryColumns =
    "trace_id, start_ns, span_id, parent_span_id, service, operation, duration_ns, status, version, seq";

const char* const kSpanSkeletonColumns =
    "trace_id, start_ns, span_id, parent_span_id, service, operation, kind, duration_ns, status, version, seq";

const char* const kLogColumns =
    "effective_ns, time_ns, observed_ns, trace_id, span_id, severity_number, severity_text, body_type, body, "
    "attr.key, attr.type, attr.value, service, res.key, res.type, res.value, resource, scope_name, scope_version, "
    "flags, template_id, writer, version, seq";

std::vector<Table> Tables(const SchemaOptions& o) {
  const std::string day = std::to_string(o.partition_ns);
  const std::string name = Name(o.low_cardinality);
  const std::string versioned = ", writer String, version UInt64, seq UInt32";
  std::vector<Table> t;
  t.push_back({"spans",
               "(trace_id FixedString(16), start_ns UInt64, span_id FixedString(8), parent_span_id FixedString(8), "
               "service " + name + ", operation " + name + ", kind UInt8, duration_ns UInt64, status UInt8, "
               "status_message String, flags UInt32, trace_state String, attr " + kAttrs + ", res " + kAttrs +
                   ", resource UInt64, events Nested(time_ns UInt64, name String), "
                   "event_attr Nested(event UInt32, key String, type UInt8, value String), "
                   "links Nested(trace_id FixedString(16), span_id FixedString(8), trace_state String), "
                   "link_attr Nested(link UInt32, key String, type UInt8, value String), "
                   "scope_name String, scope_version String" + versioned +
                   ") ENGINE = ReplacingMergeTree(version) PARTITION BY intDiv(start_ns, " + day +
                   ") ORDER BY (trace_id, start_ns, span_id) SETTINGS index_granularity = 1024",
               "cityHash64(trace_id)"});
  // The search's way in when no tag is asked for: a light copy of each
  // span ordered by service and time.
  t.push_back({"span_index",
               "(service " + name + ", start_ns UInt64, operation " + name + ", duration_ns UInt64, status UInt8, "
               "kind UInt8, trace_id FixedString(16)" + versioned +
                   ") ENGINE = MergeTree PARTITION BY intDiv(start_ns, " + day + ") ORDER BY (service, start_ns)",
               "cityHash64(trace_id)"});
  // The attribute search's way in: each (key, value) of a trace's span,
  // resource, event and link attributes as a hash (rows.h TagHash), once
  // per trace, day and write, with the latest start of the spans that
  // carry it. Candidates only (searches check them on the spans), so rows
  // of a write that failed half-way may stay: not versioned.
  t.push_back({"tags",
               "(tag UInt64, max_start_ns UInt64, trace_id FixedString(16)) ENGINE = MergeTree PARTITION BY "
               "intDiv(max_start_ns, " + day + ") ORDER BY (tag, max_start_ns)",
               "cityHash64(trace_id)", false});
  // Resource attributes, once per distinct resource and day (rows.h
  // ResourceHash): spans and logs carry only the hash. Written before the
  // rows that name them, and again by each writer after a restart, so the
  // newest copy of equal rows is as good as any: not versioned.
  t.push_back({"resources",
               "(day UInt64, resource UInt64, res " + std::string(kAttrs) +
                   ") ENGINE = ReplacingMergeTree PARTITION BY day ORDER BY resource",
               "resource", false});
  t.push_back({"summaries",
               "(trace_id FixedString(16), start_ns UInt64, end_ns UInt64, error_count UInt32, "
               "services Array(String)" + versioned + ") ENGINE = MergeTree PARTITION BY intDiv(start_ns, " + day +
                   ") ORDER BY trace_id",
               "cityHash64(trace_id)"});
  t.push_back({"logs",
               "(effective_ns UInt64, time_ns UInt64, observed_ns UInt64, trace_id FixedString(16), "
               "span_id FixedString(8), severity_number Int32, severity_text String, body_type UInt8, body String, "
               "attr " + std::string(kAttrs) + ", service " + name + ", res " + kAttrs +
                   ", resource UInt64, scope_name String, scope_version String, flags UInt32, template_id UInt64" + versioned +
                   ") ENGINE = MergeTree PARTITION BY intDiv(effective_ns, " + day +
                   ") ORDER BY (trace_id, effective_ns) SETTINGS index_granularity = 1024",
               "cityHash64(trace_id)"});
  t.push_back({"op_stats",
               "(minute UInt64, service " + name + ", operation " + name + ", kind UInt8, calls UInt64, "
               "errors UInt64, root_calls UInt64, duration String, self_time String" + versioned +
                   ") ENGINE = MergeTree PARTITION BY intDiv(minute, " + day +
                   ") ORDER BY (service, operation, minute)",
               "rand()"});
  t.push_back({"log_stats",
               "(minute UInt64, service " + name + ", template_id UInt64, template_text String, "
               "severity_number Int32, count UInt64, in_traces UInt64" + versioned +
                   ") ENGINE = MergeTree PARTITION BY intDiv(minute, " + day + ") ORDER BY (service, minute)",
               "rand()"});
  t.push_back({"operations",
               "(day UInt64, service " + name + ", operation " + name +
                   ", kind UInt8) ENGINE = ReplacingMergeTree PARTITION BY day ORDER BY (service, operation, kind)",
               "rand()", false});
  // Not sharded: the one place a writer's position is read back from.
  // Merges keep the highest row of each writer (readers take max()).
  t.push_back({"positions",
               "(writer String, position UInt64) ENGINE = ReplacingMergeTree(position) ORDER BY writer", "", false,
               false});
  t.push_back({"meta", "(key String, value String) ENGINE = MergeTree ORDER BY key", "", false, false});
  return t;
}

std::string LocalName(const std::string& cluster, const Table& table) {
  return cluster.empty() || table.shard_key.empty() ? table.name : table.name + "_local";
}

std::vector<std::string> CreateStatements(const std::string& database, const std::string& cluster,
                                          const Table& table) {
  const std::string local = LocalName(cluster, table);
  std::vector<std::string> out;
  out.push_back("CREATE TABLE IF NOT EXISTS " + database + "." + local + " " + table.definition);
  if (local != table.name) {
    out.push_back("CREATE TABLE IF NOT EXISTS " + database + "." + table.name + " AS " + database + "." + local +
                  " ENGINE = Distributed(" + cluster + ", " + database + ", " + local + ", " + table.shard_key +
                  ")");
  }
  return out;
}

}  // namespace callpath::store::ch
