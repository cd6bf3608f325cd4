#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "callpath/span_data.h"
#include "callpath/version.h"

namespace callpath {
namespace {

// Sets (or unsets) an environment variable for the test's lifetime.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value != nullptr) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The fallback name: "unknown_service:" and the executable's file name.
bool IsUnknownService(std::string_view name) {
  return name.starts_with("unknown_service:") && name.size() > 16 &&
         name.find('/') == std::string_view::npos;
}

std::string StringAttr(const Resource& r, std::string_view key) {
  for (const Attribute& a : r.attributes)
    if (a.key == key) return AttributeValueToString(a.value);
  return "<absent>";
}

TEST(ResourceTest, ServiceName) {
  Resource r;
  EXPECT_EQ(r.service_name(), "");
  r.attributes = {{"service.name", int64_t{5}}};
  EXPECT_EQ(r.service_name(), "") << "not a string";
  r.attributes = {{"host.name", std::string("h")}, {"service.name", std::string("cart")}};
  EXPECT_EQ(r.service_name(), "cart");
}

TEST(ResourceTest, MergeOverridesKeyByKeyAndKeepsOrder) {
  Resource a, b;
  a.attributes = {{"service.name", std::string("a")}, {"x", int64_t{1}}};
  b.attributes = {{"y", true}, {"service.name", std::string("b")}};
  Resource m = a.Merge(b);
  ASSERT_EQ(m.attributes.size(), 3u);
  EXPECT_EQ(m.attributes[0].key, "service.name");
  EXPECT_EQ(m.service_name(), "b");
  EXPECT_EQ(m.attributes[1].key, "x");
  EXPECT_EQ(m.attributes[2].key, "y");
  EXPECT_EQ(a.service_name(), "a") << "Merge does not modify its operands";
}

TEST(ResourceTest, FromEnvironmentDefaults) {
  ScopedEnv a("OTEL_SERVICE_NAME", nullptr), b("OTEL_RESOURCE_ATTRIBUTES", nullptr);
  Resource r = Resource::FromEnvironment();
  EXPECT_EQ(r.attributes[0].key, "service.name");
  EXPECT_TRUE(IsUnknownService(r.service_name())) << r.service_name();
  EXPECT_EQ(StringAttr(r, "telemetry.sdk.name"), "callpath");
  EXPECT_EQ(StringAttr(r, "telemetry.sdk.language"), "cpp");
  EXPECT_EQ(StringAttr(r, "telemetry.sdk.version"), CALLPATH_VERSION_STRING);
}

TEST(ResourceTest, ResourceAttributesArePercentDecoded) {
  ScopedEnv a("OTEL_SERVICE_NAME", nullptr);
  ScopedEnv b("OTEL_RESOURCE_ATTRIBUTES",
              " service.name = checkout , team=a%2Cb,, deployment.environment.name=prod%3Deu ");
  Resource r = Resource::FromEnvironment();
  EXPECT_EQ(r.service_name(), "checkout");
  EXPECT_EQ(StringAttr(r, "team"), "a,b");
  EXPECT_EQ(StringAttr(r, "deployment.environment.name"), "prod=eu");
}

TEST(ResourceTest, ServiceNameVariableWins) {
  ScopedEnv a("OTEL_SERVICE_NAME", "payments");
  ScopedEnv b("OTEL_RESOURCE_ATTRIBUTES", "service.name=checkout,team=x");
  Resource r = Resource::FromEnvironment();
  EXPECT_EQ(r.service_name(), "payments");
  EXPECT_EQ(StringAttr(r, "team"), "x");
  int names = 0;
  for (const Attribute& attr : r.attributes) names += attr.key == "service.name";
  EXPECT_EQ(names, 1);
}

TEST(ResourceTest, UndecodableResourceAttributesAreIgnoredWhole) {
  ScopedEnv a("OTEL_SERVICE_NAME", nullptr);
  for (const char* bad : {"team=x,service.name=y,broken%zz=1", "team=x,novalue", "=v"}) {
    ScopedEnv b("OTEL_RESOURCE_ATTRIBUTES", bad);
    Resource r = Resource::FromEnvironment();
    EXPECT_EQ(StringAttr(r, "team"), "<absent>") << bad;
    EXPECT_TRUE(IsUnknownService(r.service_name())) << bad;
  }
}

TEST(ResourceTest, EmptyVariablesCountAsUnset) {
  ScopedEnv a("OTEL_SERVICE_NAME", "");
  ScopedEnv b("OTEL_RESOURCE_ATTRIBUTES", "service.name=fromattrs");
  EXPECT_EQ(Resource::FromEnvironment().service_name(), "fromattrs");
}

}  // namespace
}  // namespace callpath
