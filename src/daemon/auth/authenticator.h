// The daemon's names for the key check, whose code is shared with
// callpath-gateway's admin port and lives in src/auth/authenticator.h.
#pragma once

#include "auth/authenticator.h"
#include "daemon/auth/api_key.h"

namespace callpath::daemon::auth {

using callpath::auth::AccessVerdict;
using callpath::auth::AuthCounters;
using callpath::auth::Authenticator;
using callpath::auth::BearerToken;
using callpath::auth::RenderAuthMetrics;

}  // namespace callpath::daemon::auth
