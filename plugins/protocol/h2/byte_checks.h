#pragma once
// Byte checks over header names and values, eight bytes at a time (SWAR in one 64-bit word).
// Every field of every block is checked at least once on the request path (lower case when a
// block is built, token and value rules when an upstream response is received), and a byte loop
// with a table lookup per byte was a visible share of the work per request (callgrind).
//
// Each word test sets, in every byte of its result, the high bit when the byte's low seven bits
// meet the condition; no carry crosses a byte. Callers deal with bytes above 0x7f themselves.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace ferry::plugins::protocol::h2::bytes {

inline constexpr uint64_t kOnes = 0x0101010101010101ull;
inline constexpr uint64_t kHighBits = 0x8080808080808080ull;

inline uint64_t atLeast(uint64_t low7, uint8_t lo) { return low7 + (0x80 - lo) * kOnes; }
inline uint64_t inRange(uint64_t low7, uint8_t lo, uint8_t hi) {
  return atLeast(low7, lo) & ~atLeast(low7, static_cast<uint8_t>(hi + 1)) & kHighBits;
}
inline uint64_t equals(uint64_t low7, uint8_t c) { return ~((low7 ^ c * kOnes) + 0x7f * kOnes) & kHighBits; }

// Fixed-size copies compile to single loads (a variable-length memcpy is a libc call).
inline uint64_t load8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

inline uint64_t load4(const char* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}

/**
 * Whether every byte of `s` passes: `word` tells "all eight pass" (or "maybe not"), `byte` is
 * exact and decides the "maybe". Strings of 4 bytes or more are read as 8-byte words (the last
 * word, or the two 4-byte halves of a short string, overlapping what came before: an "all pass"
 * test does not mind reading a byte twice); shorter ones byte by byte.
 */
template <typename Word, typename Byte>
inline bool allBytes(std::string_view s, Word word, Byte byte) {
  auto exact = [&byte](const char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!byte(static_cast<uint8_t>(p[i]))) return false;
    }
    return true;
  };
  const char* p = s.data();
  std::size_t n = s.size();
  if (n < 4) return exact(p, n);
  if (n < 8) return word(load4(p) | load4(p + n - 4) << 32) || exact(p, n);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if (!word(load8(p + i)) && !exact(p + i, 8)) return false;
  }
  return i == n || word(load8(p + n - 8)) || exact(p + n - 8, 8);
}

/** Whether `s` has no byte in 'A'..'Z'. */
inline bool isLower(std::string_view s) {
  return allBytes(
      s, [](uint64_t x) { return (inRange(x & ~kHighBits, 'A', 'Z') & ~x) == 0; },
      [](uint8_t b) { return b < 'A' || b > 'Z'; });
}

}  // namespace ferry::plugins::protocol::h2::bytes
