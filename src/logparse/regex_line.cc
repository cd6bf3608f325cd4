#include "logparse/regex_line.h"

#include <re2/re2.h>

#include <charconv>
#include <map>
#include <vector>

#include "logparse/severity.h"
#include "logparse/well_known_fields.h"

namespace callpath::logparse {
namespace {

constexpr std::string_view kCombined =
    R"re(^(?P<client_address>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] )re"
    R"re("(?P<method>[A-Z]+) (?P<path>[^ "]*)(?: (?P<protocol>[^"]*))?" )re"
    R"re((?P<status>\d{3}) (?P<body_bytes>\S+)(?: "(?P<referer>[^"]*)" "(?P<user_agent>[^"]*)")?)re";

constexpr std::string_view kLogback =
    R"re(^(?P<time>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}[.,]\d{3}) \[(?P<thread>[^\]]*)\] )re"
    R"re((?P<level>[A-Z]+) +(?P<logger>\S+) - (?P<msg>.*)$)re";

std::string_view Preset(std::string_view name) {
  if (name == "combined" || name == "nginx" || name == "apache") return kCombined;
  if (name == "logback") return kLogback;
  return {};
}

// RE2 (2022) knows only (?P<name>…): rewrite (?<name>…), leaving
// look-behind-like "(?<=" and "(?<!" to fail in RE2 with its own message.
std::string RewriteNamedGroups(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 8);
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      out.push_back(p[i]);
      out.push_back(p[++i]);
      continue;
    }
    if (p.compare(i, 3, "(?<") == 0 && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!') {
      out.append("(?P<");
      i += 2;
      continue;
    }
    out.push_back(p[i]);
  }
  return out;
}

}  // namespace

RegexLineParser::RegexLineParser(std::unique_ptr<re2::RE2> re) : re_(std::move(re)) {}
RegexLineParser::~RegexLineParser() = default;

Result<std::unique_ptr<RegexLineParser>> RegexLineParser::Create(std::string_view pattern) {
  std::string_view preset = Preset(pattern);
  std::string source = RewriteNamedGroups(preset.empty() ? pattern : preset);
  re2::RE2::Options options;
  options.set_dot_nl(true);
  options.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(source, options);
  if (!re->ok()) return InvalidArgument("regex does not compile: " + re->error());
  if (re->NamedCapturingGroups().empty())
    return InvalidArgument("regex has no named group such as (?P<msg>...)");
  return std::unique_ptr<RegexLineParser>(new RegexLineParser(std::move(re)));
}

bool RegexLineParser::Parse(std::string_view line, ParsedLog* out) const {
  const int groups = re_->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> match(static_cast<size_t>(groups) + 1);
  if (!re_->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), re2::RE2::UNANCHORED,
                  match.data(), groups + 1))
    return false;
  // Attributes in the order the groups appear in the pattern.
  std::map<int, std::string> by_index;
  for (const auto& [name, index] : re_->NamedCapturingGroups()) by_index[index] = name;
  int64_t status = 0;
  bool has_message = false;
  for (const auto& [index, name] : by_index) {
    const re2::StringPiece& m = match[static_cast<size_t>(index)];
    if (m.data() == nullptr) continue;  // an optional group that did not take part
    std::string value(m.data(), m.size());
    has_message |= name == "msg" || name == "message";
    if (name == "status") (void)std::from_chars(value.data(), value.data() + value.size(), status);
    out->attributes.push_back({name, std::move(value)});
  }
  if (!has_message) out->body = std::string(line);
  ApplyWellKnownFields(*out);
  if (out->severity_number == 0 && out->severity_text.empty()) {
    out->severity_number = SeverityFromHttpStatus(status);
  }
  return true;
}

}  // namespace callpath::logparse
