// The io.l5d.http.retryableRead5XX factory (plugins/response_classifier/http_status): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(HttpStatusClassifierFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("response_classifier", "io.l5d.http.retryableRead5XX", "{}"), "");
}

TEST(HttpStatusClassifierFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("response_classifier", "io.l5d.http.retryableRead5XX", "retryAll: true"), "block.yaml:1:1: unknown key 'retryAll'");
}

}  // namespace
