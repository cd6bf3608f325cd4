// get_service_dependencies: the service call graph of a window, busiest
// edges first, optionally around one service, within the result budget.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "daemon/serve/mcp_tool_support.h"
#include "query/params.h"
#include "query/render_util.h"

namespace callpath::daemon::mcp {

Result<std::string> DependenciesContent(store::Store& store, const Args& args, size_t budget, uint64_t now_ns) {
  std::string qs;
  if (std::string v = Arg(args, "lookback"); !v.empty()) AppendParam(qs, "lookback", v);
  CALLPATH_RETURN_IF_ERROR(AppendTimeParam(qs, args, "start"));
  CALLPATH_RETURN_IF_ERROR(AppendTimeParam(qs, args, "end"));
  auto window = query::ParseDependencyWindow(qs, now_ns);
  if (!window.ok()) return AsArgumentError(window.status());
  auto links = store.span_reader().GetDependencies(window->start_ns, window->end_ns);
  if (!links.ok()) return links.status();

  std::string focus = Arg(args, "service");
  std::vector<store::DependencyLink> edges;
  for (auto& l : *links) {
    if (focus.empty() || l.parent == focus || l.child == focus) edges.push_back(std::move(l));
  }
  // Busiest first; the store's (caller, callee) order breaks ties, so the answer is stable.
  std::stable_sort(edges.begin(), edges.end(),
                   [](const auto& a, const auto& b) { return a.call_count > b.call_count; });

  BoundedItems items(budget / 2);
  std::set<std::string> services;
  for (const auto& e : edges) {
    text::JsonWriter one;
    one.BeginObject();
    one.Field("caller", Clip(e.parent, 256));
    one.Field("callee", Clip(e.child, 256));
    one.FieldUint("call_count", e.call_count);
    one.EndObject();
    items.Add(one.str());
    if (items.truncated()) break;
    services.insert(e.parent);
    services.insert(e.child);
  }
  text::JsonWriter w;
  w.BeginObject();
  w.Field("start_time", query::detail::Rfc3339Nanos(window->start_ns));
  w.Field("end_time", query::detail::Rfc3339Nanos(window->end_ns));
  items.Write("edges", w);
  // The services of the edges returned (each at most 256 bytes, so half the budget holds them).
  w.Key("services");
  w.BeginArray();
  for (const auto& s : services) w.String(Clip(s, 256));
  w.EndArray();
  w.FieldUint("total_count", edges.size());
  w.FieldBool("truncated", items.count() < edges.size());
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::daemon::mcp
