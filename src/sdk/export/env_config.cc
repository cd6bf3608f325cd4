#include "sdk/export/env_config.h"

#include <cstdio>
#include <cstdlib>
#include <limits>

#include "sdk/env.h"
#include "text/hex.h"

namespace callpath::internal {
namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view Trim(std::string_view s) noexcept {
  size_t b = s.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kWhitespace);
  return s.substr(b, e - b + 1);
}

char Lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// RFC 7230 token characters: what a header field name may contain.
bool IsTokenChar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// An environment variable whose empty value counts as unset (spec §5.1).
std::optional<std::string> Get(const EnvLookup& env, const std::string& name) {
  std::optional<std::string> v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

// Resolves one OTLP exporter setting: the signal-specific variable first,
// then the generic one. `parse` returns false for a value it rejects, which
// is then reported and ignored, so the next candidate gets its turn.
template <typename Parse>
void ResolveSetting(const EnvLookup& env, OtlpSignal signal, std::string_view suffix,
                    std::vector<std::string>* warnings, Parse parse) {
  const std::string specific =
      "OTEL_EXPORTER_OTLP_" + std::string(SignalName(signal)) + "_" + std::string(suffix);
  const std::string generic = "OTEL_EXPORTER_OTLP_" + std::string(suffix);
  for (const auto& [name, is_specific] : {std::pair{specific, true}, std::pair{generic, false}}) {
    std::optional<std::string> v = Get(env, name);
    if (!v) continue;
    std::string problem;
    if (parse(*v, is_specific, &problem)) return;
    if (warnings) {
      warnings->push_back(name + "=\"" + *v + "\" ignored: " + problem);
    }
  }
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string_view SignalPath(OtlpSignal signal) noexcept {
  switch (signal) {
    case OtlpSignal::kLogs: return "v1/logs";
    case OtlpSignal::kMetrics: return "v1/metrics";
    case OtlpSignal::kTraces: break;
  }
  return "v1/traces";
}

std::string_view SignalName(OtlpSignal signal) noexcept {
  switch (signal) {
    case OtlpSignal::kLogs: return "LOGS";
    case OtlpSignal::kMetrics: return "METRICS";
    case OtlpSignal::kTraces: break;
  }
  return "TRACES";
}

std::optional<std::string> PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    int hi = text::HexDigitValue(in[i + 1]);
    int lo = text::HexDigitValue(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
    i += 2;
  }
  return out;
}

bool IsHttpUrl(std::string_view url) noexcept {
  size_t host_at;
  if (StartsWithIgnoreCase(url, "http://")) {
    host_at = 7;
  } else if (StartsWithIgnoreCase(url, "https://")) {
    host_at = 8;
  } else {
    return false;
  }
  if (url.size() <= host_at) return false;
  char c = url[host_at];
  if (c == '/' || c == '?' || c == '#' || c == ':') return false;
  for (char ch : url) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) return false;
  }
  return true;
}

std::string JoinSignalEndpoint(std::string_view base, OtlpSignal signal) {
  std::string out(base);
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(SignalPath(signal));
  return out;
}

std::string NormalizeSignalEndpoint(std::string_view url) {
  std::string out(url);
  size_t scheme_end = out.find("://");
  size_t host_at = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t path_at = out.find_first_of("/?#", host_at);
  if (path_at == std::string::npos) {
    out.push_back('/');
  } else if (out[path_at] != '/') {
    out.insert(path_at, 1, '/');
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseHeaderList(
    std::string_view text, std::vector<std::string>* warnings) {
  std::vector<std::pair<std::string, std::string>> headers;
  auto warn = [&](std::string_view member, std::string_view why) {
    if (warnings) warnings->push_back("header \"" + std::string(member) + "\" skipped: " + std::string(why));
  };
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view member = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (member.empty()) continue;
    size_t eq = member.find('=');
    if (eq == std::string_view::npos) {
      warn(member, "no '='");
      continue;
    }
    std::optional<std::string> key = PercentDecode(Trim(member.substr(0, eq)));
    std::optional<std::string> value = PercentDecode(Trim(member.substr(eq + 1)));
    if (!key || !value) {
      warn(member, "bad percent-encoding");
      continue;
    }
    bool key_ok = !key->empty();
    for (char c : *key) key_ok = key_ok && IsTokenChar(c);
    if (!key_ok) {
      warn(member, "the key is not a valid header name");
      continue;
    }
    // A decoded CR, LF or NUL would let the variable inject headers.
    if (value->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      warn(member, "the value contains a line break or NUL");
      continue;
    }
    headers.emplace_back(std::move(*key), std::move(*value));
  }
  return headers;
}

std::optional<int64_t> ParseMilliseconds(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    int d = c - '0';
    if (v > (std::numeric_limits<int64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

OtlpHttpExporterOptions OtlpHttpOptionsFromEnv(OtlpSignal signal, const EnvLookup& env,
                                               std::vector<std::string>* warnings) {
  OtlpHttpExporterOptions o;
  o.endpoint = JoinSignalEndpoint("http://localhost:4318", signal);

  ResolveSetting(env, signal, "ENDPOINT", warnings,
                 [&](const std::string& v, bool specific, std::string* why) {
                   if (!IsHttpUrl(v)) {
                     *why = "not an http:// or https:// URL";
                     return false;
                   }
                   o.endpoint = specific ? NormalizeSignalEndpoint(v) : JoinSignalEndpoint(v, signal);
                   return true;
                 });
  ResolveSetting(env, signal, "HEADERS", warnings,
                 [&](const std::string& v, bool, std::string*) {
                   o.headers = ParseHeaderList(v, warnings);
                   return true;
                 });
  ResolveSetting(env, signal, "TIMEOUT", warnings,
                 [&](const std::string& v, bool, std::string* why) {
                   std::optional<int64_t> ms = ParseMilliseconds(v);
                   if (!ms) {
                     *why = "not a non-negative integer number of milliseconds";
                     return false;
                   }
                   o.timeout = std::chrono::milliseconds(*ms);
                   return true;
                 });
  ResolveSetting(env, signal, "PROTOCOL", warnings,
                 [&](const std::string& v, bool, std::string* why) {
                   if (EqualsIgnoreCase(v, "http/protobuf")) {
                     o.protocol = OtlpProtocol::kHttpProtobuf;
                   } else if (EqualsIgnoreCase(v, "http/json")) {
                     o.protocol = OtlpProtocol::kHttpJson;
                   } else if (EqualsIgnoreCase(v, "grpc")) {
                     // Accepted (it is a valid value) but not spoken here.
                     o.protocol = OtlpProtocol::kHttpProtobuf;
                     if (warnings) {
                       warnings->push_back("OTLP protocol grpc is not supported by this exporter; "
                                           "using http/protobuf");
                     }
                   } else {
                     *why = "expected http/protobuf, http/json or grpc";
                     return false;
                   }
                   return true;
                 });
  ResolveSetting(env, signal, "COMPRESSION", warnings,
                 [&](const std::string& v, bool, std::string* why) {
                   if (EqualsIgnoreCase(v, "gzip")) {
                     o.compression = OtlpCompression::kGzip;
                   } else if (EqualsIgnoreCase(v, "none")) {
                     o.compression = OtlpCompression::kNone;
                   } else {
                     *why = "expected gzip or none";
                     return false;
                   }
                   return true;
                 });
  auto path_setting = [&](std::string* field) {
    return [field](const std::string& v, bool, std::string*) {
      *field = v;
      return true;
    };
  };
  ResolveSetting(env, signal, "CERTIFICATE", warnings, path_setting(&o.certificate_file));
  ResolveSetting(env, signal, "CLIENT_CERTIFICATE", warnings,
                 path_setting(&o.client_certificate_file));
  ResolveSetting(env, signal, "CLIENT_KEY", warnings, path_setting(&o.client_key_file));
  return o;
}

TracesExporterChoice TracesExporterFromEnv(const EnvLookup& env,
                                           std::vector<std::string>* warnings) {
  TracesExporterChoice choice;
  std::optional<std::string> list = Get(env, "OTEL_TRACES_EXPORTER");
  bool chosen = false;
  std::string_view rest = list ? std::string_view(*list) : std::string_view();
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view name = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (name.empty()) continue;
    TracesExporterKind kind;
    if (EqualsIgnoreCase(name, "otlp")) {
      kind = TracesExporterKind::kOtlp;
    } else if (EqualsIgnoreCase(name, "console") || EqualsIgnoreCase(name, "logging")) {
      kind = TracesExporterKind::kConsole;
    } else if (EqualsIgnoreCase(name, "file")) {
      kind = TracesExporterKind::kFile;
    } else if (EqualsIgnoreCase(name, "none")) {
      kind = TracesExporterKind::kNone;
    } else {
      if (warnings) {
        warnings->push_back("OTEL_TRACES_EXPORTER: unknown exporter \"" + std::string(name) +
                            "\" ignored");
      }
      continue;
    }
    if (chosen) {
      if (warnings && kind != choice.kind) {
        warnings->push_back("OTEL_TRACES_EXPORTER: only one exporter is supported; \"" +
                            std::string(name) + "\" ignored");
      }
      continue;
    }
    choice.kind = kind;
    chosen = true;
  }
  if (choice.kind == TracesExporterKind::kFile) {
    choice.file_path = Get(env, "CALLPATH_TRACES_FILE").value_or("callpath-traces.jsonl");
  }
  return choice;
}

void ReportWarnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) env::Warn(w);
}

}  // namespace callpath::internal

namespace callpath {

OtlpHttpExporterOptions OtlpHttpExporterOptions::FromEnvironment(OtlpSignal signal) {
  std::vector<std::string> warnings;
  OtlpHttpExporterOptions o =
      internal::OtlpHttpOptionsFromEnv(signal, internal::ProcessEnvironment(), &warnings);
  internal::ReportWarnings(warnings);
  return o;
}

}  // namespace callpath
