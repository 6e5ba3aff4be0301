#pragma once
// FuzzInput: carves a fuzzer's bytes into the choices and strings a harness needs, the same way
// on every run of the same input (so a crash found by libFuzzer replays exactly).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ferry::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(reinterpret_cast<const char*>(data)), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  /** One byte (0 once the input is used up). */
  uint8_t byte() { return pos_ < size_ ? static_cast<uint8_t>(data_[pos_++]) : 0; }
  /** Bytes up to the next `separator` (or the end); the separator is skipped. */
  std::string_view until(char separator) {
    std::string_view rest(data_ + pos_, size_ - pos_);
    auto at = rest.find(separator);
    if (at == std::string_view::npos) {
      pos_ = size_;
      return rest;
    }
    pos_ += at + 1;
    return rest.substr(0, at);
  }
  /** At most `n` bytes. */
  std::string_view take(size_t n) {
    if (n > size_ - pos_) n = size_ - pos_;
    std::string_view out(data_ + pos_, n);
    pos_ += n;
    return out;
  }
  /** Everything not yet taken. */
  std::string_view rest() { return take(size_ - pos_); }

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace ferry::fuzz
