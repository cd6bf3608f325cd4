#include "callpath/ids.h"

#include <sys/random.h>

#include <chrono>
#include <thread>

#include "sdk/random.h"

namespace callpath {
namespace detail {

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";

// -1 for a non-hex character; the two tables differ only in A-F.
struct HexTable {
  int8_t lower[256];
  int8_t any[256];
  constexpr HexTable() : lower(), any() {
    for (int i = 0; i < 256; ++i) lower[i] = any[i] = -1;
    for (int i = 0; i < 10; ++i) lower['0' + i] = any['0' + i] = static_cast<int8_t>(i);
    for (int i = 0; i < 6; ++i) {
      lower['a' + i] = any['a' + i] = static_cast<int8_t>(10 + i);
      any['A' + i] = static_cast<int8_t>(10 + i);
    }
  }
};
constexpr HexTable kHex;

bool Decode(const int8_t* table, std::string_view hex, uint8_t* out, size_t n) noexcept {
  if (hex.size() != 2 * n) return false;
  int bad = 0;
  for (size_t i = 0; i < n; ++i) {
    int hi = table[static_cast<uint8_t>(hex[2 * i])];
    int lo = table[static_cast<uint8_t>(hex[2 * i + 1])];
    bad |= hi | lo;  // any -1 sets the sign bit
    out[i] = static_cast<uint8_t>((hi << 4) | (lo & 0xf));
  }
  return bad >= 0;
}
}  // namespace

void BytesToHex(const uint8_t* bytes, size_t n, char* out) noexcept {
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0xf];
  }
}

bool HexToBytes(std::string_view hex, uint8_t* out, size_t n) noexcept {
  return Decode(kHex.lower, hex, out, n);
}

bool HexToBytesAnyCase(std::string_view hex, uint8_t* out, size_t n) noexcept {
  return Decode(kHex.any, hex, out, n);
}

}  // namespace detail

namespace detail {

constinit thread_local Xoshiro256 t_generator{};

namespace {
uint64_t SplitMix(uint64_t& x) noexcept {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

[[gnu::noinline]] void SeedGenerator(Xoshiro256& g) noexcept {
  uint64_t seed[4] = {};
  // getrandom never blocks once the pool is initialised; if it fails we fall
  // back to time and thread identity, which is still unique enough for ids.
  if (getrandom(seed, sizeof(seed), 0) != static_cast<ssize_t>(sizeof(seed))) {
    uint64_t x = static_cast<uint64_t>(
        std::chrono::high_resolution_clock::now().time_since_epoch().count());
    x ^= std::hash<std::thread::id>()(std::this_thread::get_id());
    for (auto& v : seed) v = SplitMix(x);
  }
  for (int i = 0; i < 4; ++i) g.s[i] = seed[i];
  if ((g.s[0] | g.s[1] | g.s[2] | g.s[3]) == 0) g.s[0] = 1;  // all-zero state is a fixed point
}

}  // namespace detail

uint64_t RandomU64() noexcept { return detail::Generator().Next(); }

TraceId NewTraceId() noexcept { return detail::MakeTraceId(detail::Generator()); }

SpanId NewSpanId() noexcept { return detail::MakeSpanId(detail::Generator()); }

}  // namespace callpath
