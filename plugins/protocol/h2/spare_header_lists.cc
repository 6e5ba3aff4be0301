#include "plugins/protocol/h2/spare_header_lists.h"

namespace ferry::plugins::protocol::h2 {

std::shared_ptr<SpareHeaderLists> SpareHeaderLists::forThisThread() {
  thread_local std::shared_ptr<SpareHeaderLists> mine = std::make_shared<SpareHeaderLists>();
  return mine;
}

sdk::HeaderList SpareHeaderLists::take() {
  if (lists_.empty()) return {};
  sdk::HeaderList list = std::move(lists_.back());
  lists_.pop_back();
  return list;
}

void SpareHeaderLists::giveBack(sdk::HeaderList&& list) {
  if (list.capacity() == 0 || lists_.size() >= kKeepLists || list.size() > kMaxFields) return;
  std::size_t bytes = 0;
  for (const auto& [name, value] : list) bytes += name.capacity() + value.capacity();
  if (bytes > kMaxBytes) return;
  lists_.push_back(std::move(list));
}

}  // namespace ferry::plugins::protocol::h2
