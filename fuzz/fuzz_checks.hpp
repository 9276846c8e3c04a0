// Oracles shared by the fuzz targets (fuzz/<target>.cpp). A finding is reported on stderr and
// ends the process with abort(), which libFuzzer (and the replay driver) record as a crash with
// the input that caused it. Text searches here are plain loops, not memmem/strstr: libFuzzer
// intercepts those and would learn the secrets the oracles look for from the comparison itself.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace iam::fuzz {

#if defined(__clang__)
#define IAM_FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define IAM_FUZZ_NO_COVERAGE
#endif

// True when `needle` (non-empty) occurs in `haystack`.
IAM_FUZZ_NO_COVERAGE inline bool Contains(std::string_view haystack, std::string_view needle) {
  if (needle.empty() || needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && haystack[i + j] == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

// Case-insensitive ASCII variant of Contains.
IAM_FUZZ_NO_COVERAGE inline bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  if (needle.empty() || needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lower(haystack[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

[[noreturn]] inline void Finding(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "\n==FUZZ FINDING== %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size() > 2000 ? 2000 : detail.size()), detail.data());
  std::abort();
}

// Aborts when `output` shows `secret` although the input did not carry it: output that merely
// echoes what the caller sent is no leak.
inline void CheckNoLeak(std::string_view what, std::string_view output, std::string_view input,
                        std::string_view secret) {
  if (Contains(output, secret) && !Contains(input, secret)) Finding(what, output);
}

}  // namespace iam::fuzz
