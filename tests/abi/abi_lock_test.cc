// The ABI fingerprint guard (docs/abi-policy.md): any edit of an SDK header changes the
// hash and fails this test until sdk/abi.lock is updated, which forces the author to decide on
// an ABI version bump (FERRY_SDK_ABI_MAJOR/MINOR) and log it in sdk/CHANGES-ABI.md.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

TEST(AbiLockTest, SdkHeadersMatchTheRecordedHash) {
  std::ifstream in(FERRY_ABI_LOCK);
  ASSERT_TRUE(in) << "cannot read " << FERRY_ABI_LOCK;
  std::string line, recorded;
  while (std::getline(in, line)) {
    if (line.rfind("sha256 ", 0) == 0) recorded = line.substr(7);
  }
  EXPECT_EQ(recorded, FERRY_SDK_HASH)
      << "The SDK headers changed. Decide whether the change is breaking (bump FERRY_SDK_ABI_MAJOR) or additive "
         "(bump FERRY_SDK_ABI_MINOR) in sdk/include/ferry/sdk/version.h, log it in sdk/CHANGES-ABI.md, and record "
         "the new hash in sdk/abi.lock: sha256 "
      << FERRY_SDK_HASH;
}

}  // namespace
