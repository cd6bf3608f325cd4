#include "cli/top.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/line.h"
#include "cli/text.h"

namespace callpath::cli {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr size_t kMaxNameColumn = 48;

std::string Str(const object& o, std::string_view key) {
  std::string_view v;
  if (o.at_key(key).get_string().get(v)) return {};
  return std::string(v);
}

double Num(const object& o, std::string_view key) {
  double d = 0;
  if (!o.at_key(key).get_double().get(d)) return d;
  uint64_t u = 0;
  if (!o.at_key(key).get_uint64().get(u)) return static_cast<double>(u);
  return 0;
}

TopFiguresView Figures(const object& o) {
  TopFiguresView f;
  f.calls = static_cast<uint64_t>(Num(o, "calls"));
  f.rate_per_second = Num(o, "rate_per_second");
  f.error_rate = Num(o, "error_rate");
  double p99 = 0;
  if (!o.at_key("p99_ms").get_double().get(p99)) f.p99_ms = p99;
  return f;
}

std::string Fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Rate(double per_second) { return Fixed(per_second, per_second < 10 ? 2 : per_second < 100 ? 1 : 0); }

std::string Latency(const std::optional<double>& ms) {
  if (!ms) return "-";
  return FormatDuration(static_cast<uint64_t>(std::llround(*ms * 1e6)));
}

// "+12%", "-3%", "0%"; "new" without a previous value; "-" with neither.
std::string PercentChange(double now, double before, bool have_now, bool have_before) {
  if (!have_now) return "-";
  if (!have_before || before <= 0) return "new";
  const double change = (now - before) / before * 100;
  const long rounded = std::lround(change);
  return (rounded > 0 ? "+" : "") + std::to_string(rounded) + "%";
}

std::string PointChange(double now, double before, bool have_now, bool have_before) {
  if (!have_now) return "-";
  if (!have_before) return "new";
  const double points = (now - before) * 100;
  return (points > 0.05 ? "+" : "") + Fixed(std::fabs(points) < 0.05 ? 0 : points, 1) + "pt";
}

}  // namespace

Result<TopView> ParseTop(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc)) return InvalidArgument("not JSON");
  object root;
  if (doc.get_object().get(root)) return InvalidArgument("not a top document");
  simdjson::dom::array rows;
  if (root.at_key("rows").get_array().get(rows)) return InvalidArgument("top document without rows");
  TopView view;
  view.service = Str(root, "service");
  view.window_ns = static_cast<uint64_t>(Num(root, "window_ns"));
  for (element e : rows) {
    object r, previous;
    if (e.get_object().get(r)) return InvalidArgument("a top row is not an object");
    TopRowView& row = view.rows.emplace_back();
    row.service = Str(r, "service");
    row.operation = Str(r, "operation");
    row.kind = Str(r, "kind");
    row.now = Figures(r);
    if (!r.at_key("previous").get_object().get(previous)) row.before = Figures(previous);
  }
  return view;
}

std::string RenderTopText(const TopView& top, const RenderOptions& o) {
  if (top.rows.empty()) return {};
  Style style(o.color);
  const bool operations = !top.service.empty();
  auto name_of = [&](const TopRowView& r) {
    return Sanitize(operations ? r.operation : r.service);
  };
  size_t name_cols = operations ? 9 : 7;
  size_t kind_cols = 4;
  for (const auto& r : top.rows) {
    name_cols = std::max(name_cols, DisplayWidth(name_of(r)));
    kind_cols = std::max(kind_cols, DisplayWidth(Sanitize(r.kind)));
  }
  name_cols = std::min(name_cols, kMaxNameColumn);
  std::string head = PadRight(operations ? "OPERATION" : "SERVICE", name_cols) + "  ";
  if (operations) head += PadRight("KIND", kind_cols) + "  ";
  head += PadLeft("RATE/S", 8) + "  " + PadLeft("CHANGE", 6) + "  " + PadLeft("ERRORS", 7) + "  " +
          PadLeft("CHANGE", 8) + "  " + PadLeft("P99", 8) + "  " + PadLeft("CHANGE", 6);
  std::string out = Line(style, o.width).Add(head, Tone::kBold).Finish();
  for (const auto& r : top.rows) {
    const bool have_now = r.now.calls > 0, have_before = r.before.calls > 0;
    Line line(style, o.width);
    line.Add(PadRight(Truncate(name_of(r), name_cols), name_cols), Tone::kCyan).Add("  ");
    if (operations) line.Add(PadRight(Truncate(Sanitize(r.kind), kind_cols), kind_cols), Tone::kDim).Add("  ");
    line.Add(PadLeft(Rate(r.now.rate_per_second), 8)).Add("  ");
    line.Add(PadLeft(PercentChange(r.now.rate_per_second, r.before.rate_per_second, have_now, have_before), 6),
             Tone::kDim)
        .Add("  ");
    const std::string errors = PadLeft(have_now ? Fixed(r.now.error_rate * 100, 1) + "%" : "-", 7);
    line.Add(errors, r.now.error_rate > 0 ? Tone::kBoldRed : Tone::kDim).Add("  ");
    const std::string error_change = PointChange(r.now.error_rate, r.before.error_rate, have_now, have_before);
    line.Add(PadLeft(error_change, 8), error_change.starts_with("+") ? Tone::kRed : Tone::kDim).Add("  ");
    line.Add(PadLeft(Latency(r.now.p99_ms), 8)).Add("  ");
    const std::string p99_change = PercentChange(r.now.p99_ms.value_or(0), r.before.p99_ms.value_or(0),
                                                 r.now.p99_ms.has_value(), r.before.p99_ms.has_value());
    line.Add(PadLeft(p99_change, 6), Tone::kDim);
    out += line.Finish();
  }
  return out;
}

}  // namespace callpath::cli
