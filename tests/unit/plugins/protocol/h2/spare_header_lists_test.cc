// Spare header lists: kept with their strings' buffers, within their bounds.

#include "plugins/protocol/h2/spare_header_lists.h"

#include <gtest/gtest.h>

namespace ferry::plugins::protocol::h2 {
namespace {

sdk::HeaderList listOf(std::size_t fields, std::size_t valueBytes) {
  sdk::HeaderList list;
  for (std::size_t i = 0; i < fields; ++i) list.emplace_back("x-field-" + std::to_string(i), std::string(valueBytes, 'v'));
  return list;
}

TEST(SpareHeaderListsTest, AListGivenBackComesBackWithItsBuffers) {
  SpareHeaderLists spare;
  EXPECT_EQ(spare.take().capacity(), 0u);  // none kept yet
  auto list = listOf(3, 40);
  const char* buffer = list[1].second.data();
  spare.giveBack(std::move(list));
  auto again = spare.take();
  ASSERT_EQ(again.size(), 3u);
  const std::string shorter(30, 'w');
  again[1].second.assign(shorter.data(), shorter.size());  // as a received field is: it fits, no allocation
  EXPECT_EQ(again[1].second.data(), buffer);
  EXPECT_EQ(spare.take().capacity(), 0u);  // it was the only one
}

TEST(SpareHeaderListsTest, OutsizedListsAreNotKept) {
  SpareHeaderLists spare;
  spare.giveBack(listOf(SpareHeaderLists::kMaxFields + 1, 1));
  EXPECT_EQ(spare.take().capacity(), 0u);
  spare.giveBack(listOf(2, SpareHeaderLists::kMaxBytes));
  EXPECT_EQ(spare.take().capacity(), 0u);
}

TEST(SpareHeaderListsTest, AtMostKeepListsAreKept) {
  SpareHeaderLists spare;
  for (std::size_t i = 0; i < SpareHeaderLists::kKeepLists + 10; ++i) spare.giveBack(listOf(1, 1));
  std::size_t kept = 0;
  while (spare.take().capacity() > 0) ++kept;
  EXPECT_EQ(kept, SpareHeaderLists::kKeepLists);
}

}  // namespace
}  // namespace ferry::plugins::protocol::h2
