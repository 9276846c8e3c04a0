#include "faults/run_length.hpp"

#include <string>

#include "support/test_env.hpp"

namespace iam::test {

RunLength FaultRunLength() {
  RunLength r;
  if (auto v = EnvOrNull("IAM_FAULTS_LONG"); v && *v == "1") {
    r.long_run = true;
    r.before = std::chrono::seconds(10);
    r.during = std::chrono::seconds(120);
    r.after = std::chrono::seconds(10);
    r.cycles = 2;
    r.checker_phase = std::chrono::seconds(120);
  }
  if (auto v = EnvOrNull("IAM_FAULTS_SECONDS")) {
    const auto seconds = std::chrono::seconds(std::stoi(*v));
    r.during = seconds;
    r.checker_phase = seconds;
  }
  return r;
}

}  // namespace iam::test
