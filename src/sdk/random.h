// The per-thread random generator behind trace and span ids, inline so the
// span start path generates its ids without calls.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "callpath/ids.h"

namespace callpath::detail {

// xoshiro256++: fast, 256-bit state, passes BigCrush; not for secrets, and
// trace ids are not secrets.
struct Xoshiro256 {
  uint64_t s[4];

  static uint64_t Rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

  uint64_t Next() noexcept {
    const uint64_t result = Rotl(s[0] + s[3], 23) + s[0];
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = Rotl(s[3], 45);
    return result;
  }
};

// Constant-initialised (no TLS guard); an all-zero state means "not seeded
// yet", since a seeded state is never all zero.
extern constinit thread_local Xoshiro256 t_generator [[gnu::tls_model("initial-exec")]];

// Seeds from the OS (falls back to time and thread identity).
[[gnu::cold]] void SeedGenerator(Xoshiro256& g) noexcept;

[[gnu::always_inline]] inline Xoshiro256& Generator() noexcept {
  Xoshiro256& g = t_generator;
  if (__builtin_expect((g.s[0] | g.s[1] | g.s[2] | g.s[3]) == 0, 0)) SeedGenerator(g);
  return g;
}

[[gnu::always_inline]] inline TraceId MakeTraceId(Xoshiro256& g) noexcept {
  uint64_t hi, lo;
  do {
    hi = g.Next();
    lo = g.Next();
  } while ((hi | lo) == 0);
  TraceId id;
#if defined(__SSE2__)
  // One 16-byte store: the id is next read as 16 bytes, and a load that
  // spans two 8-byte stores cannot be forwarded from the store buffer
  // (measured: a ~15-cycle stall on every span start).
  _mm_storeu_si128(reinterpret_cast<__m128i*>(id.mutable_bytes().data()),
                   _mm_set_epi64x(static_cast<long long>(lo), static_cast<long long>(hi)));
#else
  std::memcpy(id.mutable_bytes().data(), &hi, 8);
  std::memcpy(id.mutable_bytes().data() + 8, &lo, 8);
#endif
  return id;
}

[[gnu::always_inline]] inline SpanId MakeSpanId(Xoshiro256& g) noexcept {
  uint64_t v;
  do v = g.Next(); while (v == 0);
  SpanId id;
  std::memcpy(id.mutable_bytes().data(), &v, 8);
  return id;
}

}  // namespace callpath::detail
