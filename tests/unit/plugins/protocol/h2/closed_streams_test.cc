#include "plugins/protocol/h2/closed_streams.h"

#include <gtest/gtest.h>

namespace ferry::plugins::protocol::h2 {
namespace {

using Verdict = ClosedStreams::Verdict;

TEST(ClosedStreamsTest, LateFramesOnAStreamThatEndedAreStreamClosed) {
  ClosedStreams c;
  c.opened(1);
  c.opened(3);
  EXPECT_EQ(c.highest(), 3);
  EXPECT_EQ(c.lateFrame(1, false), Verdict::StreamClosed);
  EXPECT_EQ(c.lateFrame(1, true), Verdict::StreamClosed);
}

TEST(ClosedStreamsTest, LateFramesOnAStreamWeResetAreIgnored) {
  ClosedStreams c;
  c.opened(1);
  c.resetByUs(1);
  EXPECT_EQ(c.lateFrame(1, false), Verdict::Ignore);
  EXPECT_EQ(c.lateFrame(1, true), Verdict::Ignore);
}

TEST(ClosedStreamsTest, HeadersOnASkippedIdentifierIsAProtocolError) {
  ClosedStreams c;
  c.opened(1);
  c.opened(7);  // 3 and 5 were never used
  EXPECT_EQ(c.lateFrame(3, true), Verdict::ProtocolError);
  EXPECT_EQ(c.lateFrame(5, false), Verdict::StreamClosed);
  EXPECT_EQ(c.lateFrame(1, true), Verdict::StreamClosed);
}

TEST(ClosedStreamsTest, SlotsAreReusedAsIdentifiersGrow) {
  ClosedStreams c;
  c.opened(1);
  c.resetByUs(1);
  // 1 and 2049 share a slot: once 2049 is opened, what was said of 1 is forgotten.
  c.opened(2049);
  EXPECT_EQ(c.lateFrame(2049 - 2, true), Verdict::ProtocolError);  // skipped, still in the window
  EXPECT_EQ(c.lateFrame(1, false), Verdict::StreamClosed);          // out of the window
  EXPECT_EQ(c.lateFrame(2049, false), Verdict::StreamClosed);
}

TEST(ClosedStreamsTest, AJumpPastTheWindowForgetsEverything) {
  ClosedStreams c;
  for (int32_t id = 1; id < 200; id += 2) c.opened(id);
  c.opened(1'000'001);
  EXPECT_EQ(c.lateFrame(999'999, true), Verdict::ProtocolError);
  EXPECT_EQ(c.lateFrame(199, true), Verdict::StreamClosed);  // long ago: closed
}

TEST(ClosedStreamsTest, ResetsOutsideWhatWasOpenedAreNotRecorded) {
  ClosedStreams c;
  c.opened(5);
  c.resetByUs(7);
  c.opened(7);
  EXPECT_EQ(c.lateFrame(7, false), Verdict::StreamClosed);
}

}  // namespace
}  // namespace ferry::plugins::protocol::h2
