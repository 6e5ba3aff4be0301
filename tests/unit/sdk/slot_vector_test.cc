#include "ferry/sdk/slot_vector.h"

#include <gtest/gtest.h>

namespace ferry::sdk {
namespace {

struct Item {
  explicit Item(int v) : value(v) {}
  int value;
  std::size_t slot = 0;
};

TEST(SlotVectorTest, TakingFillsTheHoleWithTheLastItem) {
  SlotVector<Item> slots;
  Item* a = slots.add(std::make_unique<Item>(1));
  Item* b = slots.add(std::make_unique<Item>(2));
  Item* c = slots.add(std::make_unique<Item>(3));
  ASSERT_EQ(slots.size(), 3u);

  auto owned = slots.take(*a);
  ASSERT_EQ(owned.get(), a);
  EXPECT_EQ(slots.size(), 2u);
  EXPECT_EQ(c->slot, 0u);  // moved into a's slot
  EXPECT_EQ(b->slot, 1u);

  // Each remaining item can still be taken, wherever it moved.
  EXPECT_EQ(slots.take(*c).get(), c);
  EXPECT_EQ(slots.take(*b).get(), b);
  EXPECT_EQ(slots.size(), 0u);
}

TEST(SlotVectorTest, AnItemNotHeldIsNotTaken) {
  SlotVector<Item> slots;
  slots.add(std::make_unique<Item>(1));
  Item stranger(2);
  EXPECT_EQ(slots.take(stranger), nullptr);  // its slot 0 holds another item
  stranger.slot = 7;
  EXPECT_EQ(slots.take(stranger), nullptr);  // out of range
  EXPECT_EQ(slots.size(), 1u);
}

}  // namespace
}  // namespace ferry::sdk
