#include "otlp/decode/any_value.h"

#include <gtest/gtest.h>

#include "otlp/testing/otlp_proto.h"

namespace callpath::otlp {
namespace {

namespace pb = callpath::testing::pb;

TEST(AnyValueTest, EveryKind) {
  struct Case {
    pb::AnyValue v;
    AnyValueKind kind;
  };
  std::vector<Case> cases(8);
  cases[0].kind = AnyValueKind::kEmpty;
  cases[1].v.set_string_value("");
  cases[1].kind = AnyValueKind::kString;
  cases[2].v.set_bool_value(false);
  cases[2].kind = AnyValueKind::kBool;
  cases[3].v.set_int_value(-1);
  cases[3].kind = AnyValueKind::kInt;
  cases[4].v.set_double_value(-0.5);
  cases[4].kind = AnyValueKind::kDouble;
  cases[5].v.mutable_array_value();
  cases[5].kind = AnyValueKind::kArray;
  cases[6].v.mutable_kvlist_value();
  cases[6].kind = AnyValueKind::kKvList;
  cases[7].v.set_bytes_value(std::string(3, '\0'));
  cases[7].kind = AnyValueKind::kBytes;
  for (const Case& c : cases) {
    const std::string raw = c.v.SerializeAsString();
    AnyValueView v;
    std::string error;
    ASSERT_TRUE(ParseAnyValue(raw, &v, &error)) << error;
    EXPECT_EQ(v.kind, c.kind) << c.v.DebugString();
    EXPECT_EQ(v.raw, raw);
  }
  AnyValueView v;
  ASSERT_TRUE(ParseAnyValue(cases[3].v.SerializeAsString(), &v, nullptr));
  EXPECT_EQ(v.int_value, -1);
  ASSERT_TRUE(ParseAnyValue(cases[4].v.SerializeAsString(), &v, nullptr));
  EXPECT_EQ(v.double_value, -0.5);
}

TEST(AnyValueTest, LastOneofMemberWins) {
  pb::AnyValue a, b;
  a.set_string_value("first");
  b.set_int_value(9);
  const std::string raw = a.SerializeAsString() + b.SerializeAsString();
  pb::AnyValue ref;
  ASSERT_TRUE(ref.ParseFromString(raw));
  ASSERT_TRUE(ref.has_int_value());
  AnyValueView v;
  ASSERT_TRUE(ParseAnyValue(raw, &v, nullptr));
  EXPECT_EQ(v.kind, AnyValueKind::kInt);
  EXPECT_EQ(v.int_value, 9);
}

TEST(AnyValueTest, NestedListsAndArrays) {
  pb::AnyValue v;
  auto* list = v.mutable_kvlist_value();
  auto* e1 = list->add_values();
  e1->set_key("inner");
  e1->mutable_value()->mutable_array_value()->add_values()->set_bool_value(true);
  auto* e2 = list->add_values();
  e2->set_key("n");
  e2->mutable_value()->set_int_value(3);
  const std::string raw = v.SerializeAsString();  // views point into it
  AnyValueView view;
  ASSERT_TRUE(ParseAnyValue(raw, &view, nullptr));
  std::vector<KeyValueView> entries;
  std::string err;
  ASSERT_TRUE(ParseKeyValueList(view.bytes, &entries, &err)) << err << " kind " << int(view.kind);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "inner");
  std::vector<AnyValueView> items;
  ASSERT_TRUE(ParseArrayValue(entries[0].value.bytes, &items, nullptr));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].bool_value);
  EXPECT_EQ(entries[1].value.int_value, 3);
}

TEST(AnyValueTest, MalformedNestedValueIsAnError) {
  // array_value whose single element claims 5 bytes but has 1.
  const std::string raw("\x2a\x03\x0a\x05\x08", 5);
  AnyValueView v;
  std::string error;
  EXPECT_FALSE(ParseAnyValue(raw, &v, &error));
  EXPECT_NE(error.find("past the end"), std::string::npos) << error;
}

TEST(AnyValueTest, DepthLimit) {
  auto nested = [](int depth) {
    pb::AnyValue v;
    pb::AnyValue* cur = &v;
    for (int i = 0; i < depth; ++i) cur = cur->mutable_array_value()->add_values();
    cur->set_int_value(1);
    return v.SerializeAsString();
  };
  AnyValueView v;
  EXPECT_TRUE(ParseAnyValue(nested(kMaxAnyValueDepth), &v, nullptr));
  EXPECT_FALSE(ParseAnyValue(nested(kMaxAnyValueDepth + 1), &v, nullptr));
}

}  // namespace
}  // namespace callpath::otlp
