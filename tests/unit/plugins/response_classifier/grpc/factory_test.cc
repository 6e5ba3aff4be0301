// The io.l5d.h2.grpc.retryableStatusCodes factory (plugins/response_classifier/grpc): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(GrpcClassifierFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("response_classifier", "io.l5d.h2.grpc.retryableStatusCodes", "retryableStatusCodes: [14]\nsuccessStatusCodes: [0, 5]"), "");
}

TEST(GrpcClassifierFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("response_classifier", "io.l5d.h2.grpc.retryableStatusCodes", "retryableStatusCodes: [99]"), "block.yaml:1:24: 99 is not a gRPC status code (0 to 16)");
}

}  // namespace
