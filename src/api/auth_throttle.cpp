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

boost::asio::awaitable<Result<void>> CheckAndCount(RateLimiter& limiter, std::string key, int limit,
                                                   std::chrono::seconds window) {
  if (auto retry = co_await limiter.RetryAfter(key, limit)) co_return Fail(TooMany(*retry));
  co_await limiter.Record(std::move(key), window);
  co_return Result<void>{};
}

}  // namespace

boost::asio::awaitable<Result<void>> CheckLoginAllowed(ApiContext& api, std::string email, std::string ip) {
  int limit = api.auth.limits.failed_logins;
  auto by_email = co_await api.rate_limiter.RetryAfter(EmailKey(email), limit);
  auto by_ip = co_await api.rate_limiter.RetryAfter(IpKey(ip), limit);
  if (!by_email && !by_ip) co_return Result<void>{};
  co_return Fail(TooMany(std::max(by_email.value_or(std::chrono::seconds(0)), by_ip.value_or(std::chrono::seconds(0)))));
}

boost::asio::awaitable<void> RecordFailedLogin(ApiContext& api, std::string email, std::string ip) {
  co_await api.rate_limiter.Record(EmailKey(email), api.auth.limits.failed_login_window);
  co_await api.rate_limiter.Record(IpKey(ip), api.auth.limits.failed_login_window);
}

boost::asio::awaitable<Result<void>> CountRegistration(ApiContext& api, std::string ip) {
  co_return co_await CheckAndCount(api.rate_limiter, "register:ip:" + ip, api.auth.limits.registrations,
                                   api.auth.limits.registration_window);
}

boost::asio::awaitable<Result<void>> CountRefresh(ApiContext& api, domain::Id user_id) {
  co_return co_await CheckAndCount(api.rate_limiter, "refresh:user:" + std::to_string(user_id),
                                   api.auth.limits.refreshes, api.auth.limits.refresh_window);
}

}  // namespace iam::api
