// Eventually: polls a condition from the test's thread until it holds or a timeout passes.
// Timeouts are generous on purpose (2 shared cores, sanitizers): a test states what must happen,
// never how fast.
#pragma once

#include <chrono>
#include <functional>

namespace iam::test {

// Polls `done` every 5 ms until it holds (true) or `timeout` passed (then one last look).
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace iam::test
