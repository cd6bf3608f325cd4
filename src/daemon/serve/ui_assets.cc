#include "daemon/serve/ui_assets.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

namespace callpath::daemon {
namespace fs = std::filesystem;
namespace {

// Shown when no UI build is present: enough to find the API by hand.
constexpr char kFallbackPage[] = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>callpath</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>callpath</h1>
<p>callpathd is running. The web UI is not installed (build <code>ui/</code> or pass
<code>--ui-dir</code>); the query API answers below.</p>
<ul>
<li><code>/api/v1/traces/{trace id}</code> &mdash; one trace, its spans and logs</li>
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

// Every answer from the UI side of the port: no framing, no sniffing, no
// scripts or styles from elsewhere, and no referrer leaking trace ids.
void AddSecurityHeaders(HttpResponse* r) {
  r->headers.emplace_back("Content-Security-Policy",
                          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                          "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("X-Frame-Options", "DENY");
  r->headers.emplace_back("Referrer-Policy", "no-referrer");
}

bool AcceptsGzip(std::string_view accept_encoding) {
  // "gzip" listed and not refused with q=0 (the forms browsers send).
  size_t at = accept_encoding.find("gzip");
  if (at == std::string_view::npos) return false;
  std::string_view rest = accept_encoding.substr(at + 4);
  size_t comma = rest.find(',');
  std::string_view params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos || params.find("q=0.") != std::string_view::npos;
}

// Vite writes hashed file names under assets/: their content never changes.
bool IsHashedAsset(const fs::path& root, const fs::path& file) {
  fs::path rel = file.lexically_relative(root);
  return !rel.empty() && *rel.begin() == "assets";
}

// `file` (inside the UI directory), or its precompressed twin `file.gz`
// when the client takes gzip.
HttpResponse FileResponse(const fs::path& root, const fs::path& file, std::string body,
                          std::string_view accept_encoding) {
  HttpResponse r;
  r.content_type = ContentTypeFor(file);
  std::string gz;
  std::error_code ec;
  fs::path gz_path = file;
  gz_path += ".gz";
  if (AcceptsGzip(accept_encoding) && fs::is_regular_file(gz_path, ec) && ReadFile(gz_path, &gz)) {
    r.body = std::move(gz);
    r.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    r.body = std::move(body);
  }
  r.headers.emplace_back("Vary", "Accept-Encoding");
  // index.html names the current asset hashes: always revalidate it.
  r.headers.emplace_back("Cache-Control", file.filename() == "index.html" ? "no-cache"
                                          : IsHashedAsset(root, file)   ? "public, max-age=31536000, immutable"
                                                                        : "max-age=3600");
  AddSecurityHeaders(&r);
  return r;
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
  std::vector<fs::path> candidates;
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    fs::path exe_dir = fs::path(std::string(buf, static_cast<size_t>(n))).parent_path();
    // Installed (bin/../share/callpath/ui), then build trees inside or
    // beside the source tree.
    candidates = {exe_dir / "../share/callpath/ui", exe_dir / "../ui", exe_dir / "../ui/dist",
                  exe_dir / "../../ui/dist"};
  }
#ifdef CALLPATH_SOURCE_UI_DIR
  // The source tree this binary was built from: a build directory anywhere.
  candidates.emplace_back(CALLPATH_SOURCE_UI_DIR);
#endif
  for (const fs::path& cand : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(cand / "index.html", ec)) return fs::weakly_canonical(cand, ec).string();
  }
  return {};
}

HttpResponse ServeUiFile(const std::string& ui_dir, const std::string& path, std::string_view accept_encoding) {
  // A missing file of a type the UI ships (.js, .css, ...) is a 404; any
  // other path is a client-side route, dots included (/trace/{a}...{b}).
  fs::path as_path(path);
  bool has_ext = as_path.has_extension() && ContentTypeFor(as_path) != "application/octet-stream";
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
      return FileResponse(root, file, std::move(body), accept_encoding);
    }
    // Client-side routes (/trace/..., /search) are the single-page app's.
    if (!has_ext && ReadFile(root / "index.html", &body)) {
      return FileResponse(root, root / "index.html", std::move(body), accept_encoding);
    }
    return NotFound(path);
  }
  if (!has_ext) {
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = kFallbackPage;
    r.headers.emplace_back("Cache-Control", "no-cache");
    AddSecurityHeaders(&r);
    return r;
  }
  return NotFound(path);
}

}  // namespace callpath::daemon
