// Test certificates made with the openssl command line: a CA, a server
// certificate for 127.0.0.1/localhost and a client certificate.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

namespace callpath::testing {

namespace certificates_detail {
inline int Shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace certificates_detail

// A CA (ca.pem, ca.key), a server certificate for 127.0.0.1/localhost
// (server.pem, server.key) and a client certificate (client.pem,
// client.key), both signed by the CA, in `dir`.
inline bool MakeCertificates(const std::string& dir) {
  const std::string q = " >/dev/null 2>&1";
  const std::string d = "'" + dir + "/";
  using certificates_detail::Shell;
  return Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout " + d + "ca.key' -out " +
               d + "ca.pem'" + q) == 0 &&
         Shell("openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + d + "server.key' -out " + d +
               "server.csr'" + q) == 0 &&
         Shell("printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > " + d + "server.ext'") == 0 &&
         Shell("openssl x509 -req -in " + d + "server.csr' -CA " + d + "ca.pem' -CAkey " + d +
               "ca.key' -CAcreateserial -days 2 -extfile " + d + "server.ext' -out " + d + "server.pem'" + q) == 0 &&
         Shell("openssl req -newkey rsa:2048 -nodes -subj /CN=client -keyout " + d + "client.key' -out " + d +
               "client.csr'" + q) == 0 &&
         Shell("openssl x509 -req -in " + d + "client.csr' -CA " + d + "ca.pem' -CAkey " + d +
               "ca.key' -CAcreateserial -days 2 -out " + d + "client.pem'" + q) == 0;
}

}  // namespace callpath::testing
