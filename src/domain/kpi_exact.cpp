#include "domain/kpi_exact.hpp"

namespace iam::domain {

int CompareRatio(std::int64_t num, std::int64_t den, std::int64_t p, std::int64_t q) {
  // num/den − p/q has the sign of (num·q − p·den)·sign(den); 64×64 bits fit in 128.
  Int128 diff = Int128{num} * q - Int128{p} * den;
  if (den < 0) diff = -diff;
  return diff > 0 ? 1 : (diff < 0 ? -1 : 0);
}

}  // namespace iam::domain
