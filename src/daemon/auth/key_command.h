// `callpathd key new --keys-file FILE --tenant T --scopes ingest,query[,admin]`:
// creates a key, appends its salted hash to FILE (created with mode 0600)
// and prints the key once on stdout. The key is not stored anywhere.
#pragma once

namespace callpath::daemon::auth {

// argv[1] is "key". Returns the process exit code.
int RunKeyCommand(int argc, const char* const* argv);

}  // namespace callpath::daemon::auth
