// Static UI files for the query port, with an embedded page when the UI was
// not built (so the daemon always answers something useful on "/").
#pragma once

#include <string>
#include <string_view>

#include "daemon/receive/http_types.h"

namespace callpath::daemon {

// The UI directory to use when none is configured: the first of
// <exe dir>/../share/callpath/ui (installed), <exe dir>/../ui,
// <exe dir>/../ui/dist, <exe dir>/../../ui/dist and the source tree's
// ui/dist (compiled in) that holds an index.html. "" when none does.
std::string DefaultUiDir();

// Serves `path` (already URL-decoded, starting with '/') from `ui_dir`.
// Paths that escape the directory are refused (404). A path that matches
// no file gets index.html (client-side routing) unless it ends in the
// extension of a file type the UI ships (.js, .css, .html, ...): then 404. With no usable directory, "/" and such paths get the embedded
// page; other paths 404.
// Hashed files under assets/ are cached for a year (immutable), index.html
// never; a precompressed `<file>.gz` is sent when `accept_encoding` (the
// request's header) takes gzip. Every answer carries the security headers
// (CSP without inline scripts, nosniff, no framing, no referrer).
HttpResponse ServeUiFile(const std::string& ui_dir, const std::string& path,
                         std::string_view accept_encoding = {});

}  // namespace callpath::daemon
