#include "daemon/serve/ui_assets.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace callpath::daemon {
namespace fs = std::filesystem;
namespace {

// Shown when no UI build is present: enough to find the API by hand.
constexpr char kFallbackPage[] = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>callpath</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}input{font:inherit;width:24rem}</style></head>
<body><h1>callpath</h1>
<p>callpathd is running. The web UI is not installed (build <code>ui/</code> or pass
<code>--ui-dir</code>); the query API answers below.</p>
<form onsubmit="location.href='/api/v1/traces/'+document.getElementById('t').value;return false">
<label>Trace id <input id="t" placeholder="32 hex digits"></label> <button>Open</button></form>
<ul>
<li><a href="/api/v1/services">/api/v1/services</a> &mdash; services seen</li>
<li><code>/api/v1/search?service=S&amp;lookback=1h</code> &mdash; find traces</li>
<li><code>/api/v1/logs?service=S&amp;level=warn</code> &mdash; search logs</li>
<li><a href="/api/services">/api/services</a> &mdash; Jaeger-compatible API (Grafana, Jaeger UI)</li>
<li><a href="/metrics">/metrics</a> &mdash; Prometheus metrics</li>
</ul></body></html>
)";

std::string ContentTypeFor(const fs::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

HttpResponse NotFound(const std::string& path) {
  HttpResponse r;
  r.status = 404;
  r.content_type = "application/json";
  std::string esc;
  for (char c : path)
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) esc.push_back(c);
  r.body = "{\"error\":\"not found: " + esc + "\"}";
  return r;
}

}  // namespace

std::string DefaultUiDir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  fs::path exe_dir = fs::path(std::string(buf, static_cast<size_t>(n))).parent_path();
  for (const fs::path& cand : {exe_dir / "../share/callpath/ui", exe_dir / "../ui/dist",
                               exe_dir / "../../ui/dist"}) {
    std::error_code ec;
    if (fs::is_regular_file(cand / "index.html", ec)) return fs::weakly_canonical(cand, ec).string();
  }
  return {};
}

HttpResponse ServeUiFile(const std::string& ui_dir, const std::string& path) {
  bool has_ext = fs::path(path).has_extension();
  std::error_code ec;
  if (!ui_dir.empty() && fs::is_directory(ui_dir, ec)) {
    fs::path root = fs::weakly_canonical(ui_dir, ec);
    fs::path rel = fs::path(path).relative_path();
    fs::path file = fs::weakly_canonical(root / rel, ec);
    // Refuse anything that resolves outside the UI directory ("..", links).
    auto [r_end, f_it] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    if (r_end != root.end()) return NotFound(path);
    if (fs::is_directory(file, ec)) file /= "index.html";
    std::string body;
    if (fs::is_regular_file(file, ec) && ReadFile(file, &body)) {
      HttpResponse r;
      r.content_type = ContentTypeFor(file);
      r.body = std::move(body);
      // Hashed asset names never change; index.html must be re-fetched.
      r.headers.emplace_back("Cache-Control", file.filename() == "index.html" ? "no-cache" : "max-age=3600");
      return r;
    }
    if (!has_ext && ReadFile(root / "index.html", &body)) {
      HttpResponse r;
      r.content_type = "text/html; charset=utf-8";
      r.body = std::move(body);
      r.headers.emplace_back("Cache-Control", "no-cache");
      return r;
    }
    return NotFound(path);
  }
  if (!has_ext) {
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = kFallbackPage;
    return r;
  }
  return NotFound(path);
}

}  // namespace callpath::daemon
