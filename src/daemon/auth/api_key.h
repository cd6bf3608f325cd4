// The daemon's names for API keys and the keys file, whose code is shared
// with callpath-gateway's admin port and lives in src/auth/api_key.h.
#pragma once

#include "auth/api_key.h"

namespace callpath::daemon::auth {

using callpath::auth::GenerateKey;
using callpath::auth::KeyDigest;
using callpath::auth::KeyEntry;
using callpath::auth::KeysFileLine;
using callpath::auth::kScopeAdmin;
using callpath::auth::kScopeIngest;
using callpath::auth::kScopeQuery;
using callpath::auth::NewKey;
using callpath::auth::ParseKeysFile;
using callpath::auth::ParseScopes;
using callpath::auth::Scope;
using callpath::auth::ScopesText;
using callpath::auth::SecretMatches;
using callpath::auth::SplitApiKey;
using callpath::auth::ValidTenant;

}  // namespace callpath::daemon::auth
