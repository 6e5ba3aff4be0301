#include "ferry/sdk/path.h"

#include <gtest/gtest.h>

namespace ferry::sdk {
namespace {

TEST(PathTest, ParsesAndShows) {
  auto p = Path::parse("/#/io.l5d.fs/web");
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0], "#");
  EXPECT_EQ(p->show(), "/#/io.l5d.fs/web");
}

TEST(PathTest, RootIsEmpty) {
  auto p = Path::parse("/");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->empty());
  EXPECT_EQ(p->show(), "/");
}

TEST(PathTest, HexEscapesRoundTrip) {
  auto p = Path::parse("/a\\x20b/c");
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ((*p)[0], "a b");
  EXPECT_EQ(p->show(), "/a\\x20b/c");
}

TEST(PathTest, RejectsBadSyntax) {
  for (const char* bad : {"", "foo", "/foo/", "//", "/a//b", "/a b", "/a\\x2", "/a\\y20", "/a\\xzz"}) {
    EXPECT_FALSE(Path::parse(bad)) << bad;
  }
}

TEST(PathTest, PrefixIsElementWise) {
  auto s = *Path::parse("/s");
  EXPECT_TRUE(Path::parse("/s/x")->startsWith(s));
  EXPECT_FALSE(Path::parse("/s#/x")->startsWith(s));
  EXPECT_EQ(Path::parse("/a/b/c")->drop(1).show(), "/b/c");
  EXPECT_EQ(Path::parse("/a/b/c")->take(2).show(), "/a/b");
}

}  // namespace
}  // namespace ferry::sdk
