#include "daemon/auth/key_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "daemon/auth/api_key.h"

namespace callpath::daemon::auth {
namespace {

const char kUsage[] =
    "usage: callpathd key new --keys-file FILE --tenant TENANT --scopes ingest,query[,admin]\n"
    "  Appends the new key's salted hash to FILE and prints the key once on stdout.\n"
    "  A running callpathd rereads FILE on SIGHUP.\n";

int Usage(const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "callpathd key: %s\n", why.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

int RunKeyCommand(int argc, const char* const* argv) {
  if (argc < 3 || std::string_view(argv[2]) != "new") return Usage(argc < 3 ? "" : "unknown subcommand");
  std::string file, tenant, scopes_text;
  for (int i = 3; i < argc; ++i) {
    std::string_view a = argv[i];
    std::string* target = a == "--keys-file" ? &file : a == "--tenant" ? &tenant : a == "--scopes" ? &scopes_text
                                                                                                      : nullptr;
    if (target == nullptr || i + 1 >= argc) return Usage("unexpected argument '" + std::string(a) + "'");
    *target = argv[++i];
  }
  if (file.empty() || tenant.empty() || scopes_text.empty()) return Usage("--keys-file, --tenant and --scopes are required");
  Result<uint8_t> scopes = ParseScopes(scopes_text);
  if (!scopes.ok()) return Usage(scopes.status().message());
  Result<NewKey> key = GenerateKey(tenant, scopes.value());
  if (!key.ok()) return Usage(key.status().message());
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::fprintf(stderr, "callpathd key: cannot open %s: %s\n", file.c_str(), std::strerror(errno));
    return 1;
  }
  bool ok = WriteAll(fd, KeysFileLine(key->entry)) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    std::fprintf(stderr, "callpathd key: cannot write %s: %s\n", file.c_str(), std::strerror(errno));
    return 1;
  }
  std::printf("%s\n", key->key.c_str());
  std::fprintf(stderr,
               "callpathd key: key %s for tenant '%s' (%s) added to %s; it is shown only now. "
               "Send it as 'Authorization: Bearer <key>'; a running callpathd picks it up on SIGHUP.\n",
               key->entry.id.c_str(), tenant.c_str(), ScopesText(key->entry.scopes).c_str(), file.c_str());
  return 0;
}

}  // namespace callpath::daemon::auth
