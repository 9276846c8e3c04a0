// How long the fault and consistency suites run. The default (CI) variant is short: about a second
// of load before each fault, a few seconds under it and a second after. IAM_FAULTS_LONG=1 selects
// the long variant (minutes under each fault, several cycles); IAM_FAULTS_SECONDS=N overrides the
// time under each fault (and the consistency checker's phases) in either variant.
#pragma once

#include <chrono>

namespace iam::test {

struct RunLength {
  bool long_run = false;
  std::chrono::milliseconds before{1000};  // load before the fault is injected
  std::chrono::milliseconds during{3000};  // load while the fault lasts
  std::chrono::milliseconds after{1000};   // load once the service answers again
  int cycles = 1;                          // how many times each fault is injected
  std::chrono::milliseconds checker_phase{4000};  // each phase of the read-your-writes checker
};

RunLength FaultRunLength();

}  // namespace iam::test
