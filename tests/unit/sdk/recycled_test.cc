// Recycled<T>: freed blocks of T come back for the next T of the same thread.

#include "ferry/sdk/recycled.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace ferry::sdk {
namespace {

struct Item : Recycled<Item> {
  explicit Item(int v) : value(v) {}
  virtual ~Item() = default;
  int value;
  char payload[200] = {};
};

struct BiggerItem final : Item {
  BiggerItem() : Item(2) {}
  char more[64] = {};
};

TEST(RecycledTest, AFreedBlockIsReusedOnTheSameThread) {
  auto* first = new Item(1);
  void* address = first;
  delete first;
  auto second = std::make_unique<Item>(7);
  EXPECT_EQ(static_cast<void*>(second.get()), address);
  EXPECT_EQ(second->value, 7);  // constructed afresh in the reused block
}

TEST(RecycledTest, AnotherThreadHasItsOwnList) {
  auto* first = new Item(1);
  void* address = first;
  delete first;
  void* elsewhere = nullptr;
  std::thread([&] {
    auto* other = new Item(2);
    elsewhere = other;
    delete other;
  }).join();
  EXPECT_NE(elsewhere, address);
  auto again = std::make_unique<Item>(3);
  EXPECT_EQ(static_cast<void*>(again.get()), address);
}

TEST(RecycledTest, ADerivedClassOfAnotherSizeUsesTheGlobalAllocator) {
  auto* item = new Item(1);
  void* address = item;
  delete item;
  auto bigger = std::make_unique<BiggerItem>();  // not sizeof(Item): never from the list
  EXPECT_NE(static_cast<void*>(bigger.get()), address);
  bigger.reset();
  auto again = std::make_unique<Item>(3);
  EXPECT_EQ(static_cast<void*>(again.get()), address);
}

}  // namespace
}  // namespace ferry::sdk
