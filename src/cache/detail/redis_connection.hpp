// RedisConnection: one pooled connection of a RedisClient (plus the state they share). Its state
// lives on its strand; Ready() and Stop() are thread-safe. Run() connects, serves and reconnects
// until Stop(); Call() pipelines a batch and waits for its replies until a deadline. Shared-owned by
// the client and its own coroutines, so it outlives a client destroyed while I/O is in flight.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cache/redis_options.hpp"
#include "cache/redis_reply.hpp"
#include "cache/redis_reply_parser.hpp"
#include "domain/error.hpp"

namespace iam::cache::detail {

class RedisStream;

// Internal code of Call(): the connection was not ready; the client tries another one.
inline constexpr std::string_view kRedisNotReady = "redis_not_ready";

// What a RedisClient and its connections share. Thread-safe: atomics and one mutex.
struct RedisClientState {
  explicit RedisClientState(RedisOptions options);

  const RedisOptions opts;
  std::unique_ptr<boost::asio::ssl::context> ssl;  // when opts.tls and the context could be set up
  std::optional<Error> ssl_error;                  // when it could not (e.g. unreadable CA file)

  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> commands{0}, timeouts{0}, connection_errors{0}, reconnects{0}, rejected{0};
  std::atomic<std::uint64_t> failed_attempts{0};

  void SetLastError(const Error& e);
  std::optional<Error> LastError() const;
  std::chrono::milliseconds StallTimeout() const;

 private:
  mutable std::mutex mu_;
  std::optional<Error> last_error_;
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  using Clock = std::chrono::steady_clock;
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;

  RedisConnection(const boost::asio::any_io_executor& ex, std::shared_ptr<RedisClientState> state, std::size_t index);
  ~RedisConnection();

  bool Ready() const { return ready_.load(std::memory_order_acquire); }
  const Strand& strand() const { return strand_; }

  // co_spawn these on strand(). Static with `self` by value: the frame keeps the connection alive.
  static boost::asio::awaitable<void> Run(std::shared_ptr<RedisConnection> self);
  // `count` replies to `bytes` (formatted commands). Fails with kRedisNotReady when not connected,
  // kRedisTimeout at `deadline`, kRedisUnavailable when the connection is lost meanwhile.
  static boost::asio::awaitable<Result<std::vector<RedisReply>>> Call(std::shared_ptr<RedisConnection> self,
                                                                      std::string bytes, std::size_t count,
                                                                      Clock::time_point deadline);

  // Thread-safe: closes the connection, fails its pending commands and ends Run().
  void Stop();

 private:
  enum class Phase { kClosed, kConnecting, kReady };
  struct Pending;

  static boost::asio::awaitable<void> ReadLoop(std::shared_ptr<RedisConnection> self,
                                               std::shared_ptr<RedisStream> stream, std::uint64_t gen);
  static boost::asio::awaitable<void> WriteLoop(std::shared_ptr<RedisConnection> self,
                                                std::shared_ptr<RedisStream> stream, std::uint64_t gen);
  static boost::asio::awaitable<void> Watchdog(std::shared_ptr<RedisConnection> self, std::uint64_t gen);

  boost::asio::awaitable<Result<void>> Connect();
  boost::asio::awaitable<Result<void>> Handshake();
  boost::asio::awaitable<void> Sleep(std::chrono::milliseconds d);
  Error ConnectFailure(std::string_view code, std::string_view what, const boost::system::error_code& ec) const;
  void OnConnectDeadline(std::uint64_t gen);
  bool Deliver(RedisReply reply);
  void Close(const Error& why);

  const std::shared_ptr<RedisClientState> state_;
  const std::size_t index_;
  const std::string endpoint_;  // host:port, for messages
  Strand strand_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer backoff_timer_;
  boost::asio::steady_timer watch_timer_;  // Watchdog's tick
  std::atomic<bool> ready_{false};

  // Strand-only state.
  Phase phase_ = Phase::kClosed;
  std::uint64_t gen_ = 0;  // connection attempt number; coroutines of an older one stand down
  bool connect_timed_out_ = false;
  std::shared_ptr<RedisStream> stream_;
  RedisReplyParser parser_;
  std::deque<std::shared_ptr<Pending>> pending_;  // in the order the commands were written
  std::string wbuf_;                              // formatted commands not yet handed to a write
  bool writing_ = false;
  Clock::time_point last_progress_{};  // last reply, or when the queue became non-empty
};

}  // namespace iam::cache::detail
