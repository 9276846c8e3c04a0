#include "api/auth_throttle.hpp"

#include <algorithm>

namespace iam::api {
namespace {

std::string EmailKey(const std::string& email) { return "login-fail:email:" + email; }
std::string IpKey(const std::string& ip) { return "login-fail:ip:" + ip; }

Error TooMany(std::chrono::seconds retry) {
  Error e{ErrorKind::kRateLimited, "TOO_MANY_ATTEMPTS", "Demasiados intentos, intente más tarde"};
  e.retry_after_s = static_cast<int>(std::max<std::int64_t>(1, retry.count()));
  return e;
}

Result<void> CheckAndCount(RateLimiter& limiter, const std::string& key, int limit, std::chrono::seconds window) {
  if (auto retry = limiter.RetryAfter(key, limit)) return Fail(TooMany(*retry));
  limiter.Record(key, window);
  return {};
}

}  // namespace

Result<void> CheckLoginAllowed(ApiContext& api, const std::string& email, const std::string& ip) {
  int limit = api.auth.limits.failed_logins;
  auto by_email = api.rate_limiter.RetryAfter(EmailKey(email), limit);
  auto by_ip = api.rate_limiter.RetryAfter(IpKey(ip), limit);
  if (!by_email && !by_ip) return {};
  return Fail(TooMany(std::max(by_email.value_or(std::chrono::seconds(0)), by_ip.value_or(std::chrono::seconds(0)))));
}

void RecordFailedLogin(ApiContext& api, const std::string& email, const std::string& ip) {
  api.rate_limiter.Record(EmailKey(email), api.auth.limits.failed_login_window);
  api.rate_limiter.Record(IpKey(ip), api.auth.limits.failed_login_window);
}

Result<void> CountRegistration(ApiContext& api, const std::string& ip) {
  return CheckAndCount(api.rate_limiter, "register:ip:" + ip, api.auth.limits.registrations,
                       api.auth.limits.registration_window);
}

Result<void> CountRefresh(ApiContext& api, domain::Id user_id) {
  return CheckAndCount(api.rate_limiter, "refresh:user:" + std::to_string(user_id), api.auth.limits.refreshes,
                       api.auth.limits.refresh_window);
}

}  // namespace iam::api
