// Static UI files for the query port, with an embedded page when the UI was
// not built (so the daemon always answers something useful on "/").
#pragma once

#include <string>

#include "daemon/receive/http_types.h"

namespace callpath::daemon {

// The UI directory to use when none is configured: the first existing of
// <exe dir>/../share/callpath/ui, <exe dir>/../ui/dist, <exe dir>/../../ui/dist.
// Returns "" when none exists.
std::string DefaultUiDir();

// Serves `path` (already URL-decoded, starting with '/') from `ui_dir`.
// Paths that escape the directory are refused (404). A path without a
// file extension that matches no file gets index.html (client-side
// routing). With no usable directory, "/" and such paths get the embedded
// page; other paths 404.
HttpResponse ServeUiFile(const std::string& ui_dir, const std::string& path);

}  // namespace callpath::daemon
