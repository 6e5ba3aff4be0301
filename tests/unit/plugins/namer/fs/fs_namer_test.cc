#include "plugins/namer/fs/fs_namer.h"

#include <gtest/gtest.h>

namespace ferry::plugins::namer::fs {
namespace {

TEST(ServiceFileTest, ParsesLinesWeightsAndComments) {
  auto f = parseServiceFile("# comment\n127.0.0.1 8080\n\n  10.0.0.2   9090 * 0.5  # trailing\nweb.local 80\n");
  ASSERT_EQ(f.addresses.size(), 3u);
  EXPECT_EQ(f.addresses[0].host, "127.0.0.1");
  EXPECT_EQ(f.addresses[0].port, 8080);
  EXPECT_EQ(f.addresses[0].weight, 1.0);
  EXPECT_EQ(f.addresses[1].weight, 0.5);
  EXPECT_EQ(f.addresses[2].host, "web.local");
  EXPECT_TRUE(f.errors.empty());
}

TEST(ServiceFileTest, MalformedLinesAreSkippedAndReported) {
  auto f = parseServiceFile("onlyhost\n127.0.0.1 99999\n127.0.0.1 80 * x\n127.0.0.1 80 + 1\n127.0.0.1 81\n");
  ASSERT_EQ(f.addresses.size(), 1u);
  EXPECT_EQ(f.addresses[0].port, 81);
  ASSERT_EQ(f.errors.size(), 4u);
  EXPECT_EQ(f.errors[0], "line 1: expected 'host port' or 'host port * weight', got 'onlyhost'");
  EXPECT_EQ(f.errors[3].rfind("line 4:", 0), 0u);
}

TEST(ServiceFileTest, EmptyFileHasNoAddresses) {
  auto f = parseServiceFile("# nothing here\n\n");
  EXPECT_TRUE(f.exists);
  EXPECT_TRUE(f.addresses.empty());
}

}  // namespace
}  // namespace ferry::plugins::namer::fs
