#include "core/config/config_node.h"

#include <gtest/gtest.h>

#include "core/config/node_view.h"

namespace ferry::core::config {
namespace {

ConfigNodePtr parse(const std::string& text) {
  auto r = parseConfigText(text, "t.yaml");
  EXPECT_TRUE(r) << r.message();
  return r ? *r : nullptr;
}

TEST(ConfigNodeTest, MarksAreOneBased) {
  auto root = parse("a:\n  b: 1\n");
  NodeView v(root);
  auto b = v.child("a")->child("b");
  EXPECT_EQ(b->location(), "t.yaml:2:6");
}

TEST(ConfigNodeTest, JsonIsAccepted) {
  auto root = parse(R"({"routers": [{"protocol": "http"}]})");
  NodeView v(root);
  EXPECT_EQ(*v.child("routers")->at(0)->child("protocol")->asString(), "http");
}

TEST(ConfigNodeTest, DuplicateKeysAreRejected) {
  auto r = parseConfigText("a: 1\nb: 2\na: 3\n", "t.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message(), "t.yaml:3:1: duplicate key 'a'");
}

TEST(ConfigNodeTest, SyntaxErrorsHavePositions) {
  auto r = parseConfigText("a: [1, 2\n", "t.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message().rfind("t.yaml:", 0), 0u) << r.message();
}

TEST(ConfigNodeTest, TopLevelMustBeAMap) {
  auto r = parseConfigText("- a\n", "t.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message(), "t.yaml: the config must be a map, got a list");
}

TEST(ConfigNodeTest, UnreadKeysAreReportedWithSuggestions) {
  auto root = parse("rootdir: x\nother: 1\nnested:\n  kept: 1\n  extra: 2\n");
  NodeView v(root);
  v.has("rootDir");
  v.child("nested")->child("kept");
  auto errors = unknownKeyErrors(*root);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "t.yaml:1:1: unknown key 'rootdir' (did you mean 'rootDir'?)");
  EXPECT_EQ(errors[1], "t.yaml:2:1: unknown key 'other'");
  EXPECT_EQ(errors[2], "t.yaml:5:3: unknown key 'extra'");
}

TEST(ConfigNodeTest, TypedReads) {
  auto root = parse("i: 42\nd: 0.5\nb: true\ns: text\nbad: 4x\nl: [1]\n");
  NodeView v(root);
  EXPECT_EQ(*v.integer("i", 0), 42);
  EXPECT_DOUBLE_EQ(*v.number("d", 0), 0.5);
  EXPECT_TRUE(*v.boolean("b", false));
  EXPECT_EQ(*v.string("s", ""), "text");
  EXPECT_EQ(*v.integer("absent", 7), 7);
  EXPECT_EQ(v.integer("bad", 0).message(), "t.yaml:5:6: expected an integer, got '4x'");
  EXPECT_EQ(v.string("l", "").message(), "t.yaml:6:4: expected a string, got a list");
  EXPECT_EQ(v.requiredString("nope").message(), "t.yaml:1:1: missing required key 'nope'");
}

TEST(ConfigNodeTest, ClosestKey) {
  EXPECT_EQ(closestKey("dtabb", {"dtab", "label", "servers"}), "dtab");
  EXPECT_EQ(closestKey("bindingTimeoutMS", {"bindingTimeoutMs"}), "bindingTimeoutMs");
  EXPECT_EQ(closestKey("completely", {"dtab", "label"}), "");
}

}  // namespace
}  // namespace ferry::core::config
