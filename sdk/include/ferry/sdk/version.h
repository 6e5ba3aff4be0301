#pragma once
// The SDK's ABI version and the build signature a plugin must share with the host.
//
// Rules (docs/abi-policy.md): bump MAJOR on any breaking change to a header under
// sdk/include/ferry/sdk (a virtual added, removed or reordered, a signature or layout changed);
// bump MINOR on additive changes (a new interface, a new category). The host loads a plugin when
// the majors are equal, the plugin's minor is not newer than the host's, and the build
// signatures are identical. tests/abi checks that sdk/abi.lock matches these headers, so no SDK
// edit lands without a deliberate version decision.

#define FERRY_SDK_ABI_MAJOR 0
#define FERRY_SDK_ABI_MINOR 1

#define FERRY_SDK_STR2(x) #x
#define FERRY_SDK_STR(x) FERRY_SDK_STR2(x)

#if defined(__clang__)
#define FERRY_SDK_COMPILER "clang-" FERRY_SDK_STR(__clang_major__)
#elif defined(__GNUC__)
#define FERRY_SDK_COMPILER "gcc-" FERRY_SDK_STR(__GNUC__)
#else
#define FERRY_SDK_COMPILER "unknown"
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define FERRY_SDK_CXXABI "cxx11abi-" FERRY_SDK_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define FERRY_SDK_CXXABI "cxx11abi-?"
#endif

#if defined(_GLIBCXX_DEBUG)
#define FERRY_SDK_STDDEBUG "+glibcxx-debug"
#elif defined(_GLIBCXX_ASSERTIONS)
#define FERRY_SDK_STDDEBUG "+glibcxx-assertions"
#else
#define FERRY_SDK_STDDEBUG ""
#endif

#if defined(__SANITIZE_ADDRESS__)
#define FERRY_SDK_ASAN "+asan"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FERRY_SDK_ASAN "+asan"
#endif
#endif
#ifndef FERRY_SDK_ASAN
#define FERRY_SDK_ASAN ""
#endif

#if defined(__SANITIZE_THREAD__)
#define FERRY_SDK_TSAN "+tsan"
#else
#define FERRY_SDK_TSAN ""
#endif

/**
 * The build signature: compiler family and major, C++ level, libstdc++ ABI, pointer size and
 * the checking/sanitizer modes that change object layout or allocation. Host and plugin must
 * produce the same string (Boost.DLL's "same runtime, same flags" rule, made checkable).
 */
#define FERRY_SDK_BUILD_SIGNATURE                                                   \
  FERRY_SDK_COMPILER ";cxx-" FERRY_SDK_STR(__cplusplus) ";" FERRY_SDK_CXXABI ";ptr-" \
      FERRY_SDK_STR(__SIZEOF_POINTER__) FERRY_SDK_STDDEBUG FERRY_SDK_ASAN FERRY_SDK_TSAN
