#include "cache/detail/redis_connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <random>

#include "cache/detail/redis_stream.hpp"
#include "cache/redis_command.hpp"
#include "cache/redis_error.hpp"

namespace iam::cache::detail {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using boost::system::error_code;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// A uniformly random duration in [d/2, d]: reconnecting clients spread out instead of stampeding a
// Redis that just came back.
std::chrono::milliseconds Jitter(std::chrono::milliseconds d) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  auto half = d.count() / 2;
  std::uniform_int_distribution<long long> dist(half, std::max<long long>(half, d.count()));
  return std::chrono::milliseconds(dist(rng));
}

// "-WRONGPASS …", "-NOAUTH …", "-ERR invalid password", "-ERR AUTH <password> called without any
// password configured…": the server refused who we are.
bool IsAuthError(const RedisReply& r) {
  if (!r.IsError()) return false;
  return r.str.starts_with("WRONGPASS") || r.str.starts_with("NOAUTH") || r.str.find("password") != std::string::npos ||
         r.str.starts_with("NOPERM");
}

std::string LostMessage(const error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "connection closed by the server";
  return ec.message();
}

}  // namespace

// --- shared state --------------------------------------------------------------------------------

RedisClientState::RedisClientState(RedisOptions options) : opts(std::move(options)) {
  if (!opts.tls) return;
  try {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    if (!opts.tls_ca_file.empty()) {
      ctx->load_verify_file(opts.tls_ca_file);
    } else {
      ctx->set_default_verify_paths();
    }
    ssl = std::move(ctx);
  } catch (const boost::system::system_error& e) {
    ssl_error = RedisError(
        kRedisTls, fmt::format("redis: cannot set up TLS (CA file '{}'): {}", opts.tls_ca_file, e.code().message()));
  }
}

void RedisClientState::SetLastError(const Error& e) {
  std::lock_guard lock(mu_);
  last_error_ = e;
}

std::optional<Error> RedisClientState::LastError() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

std::chrono::milliseconds RedisClientState::StallTimeout() const {
  if (opts.stall_timeout.count() > 0) return opts.stall_timeout;
  return std::max<std::chrono::milliseconds>(4 * opts.command_timeout, 200ms);
}

// --- one pending batch ---------------------------------------------------------------------------

// A batch of commands waiting for its replies. Shared by the queue (until its last reply arrives)
// and by the waiting Call() (until it returns); touched only on the strand.
struct RedisConnection::Pending {
  Pending(const Strand& strand, std::size_t n) : timer(strand), count(n) { replies.reserve(n); }

  asio::steady_timer timer;  // the caller waits on it; cancelled when done
  std::size_t count;
  std::size_t received = 0;
  std::vector<RedisReply> replies;
  std::optional<Error> error;
  bool done = false;       // replies (or error) are final
  bool abandoned = false;  // the caller timed out: replies are read and dropped
};

// --- lifecycle -----------------------------------------------------------------------------------

RedisConnection::RedisConnection(const asio::any_io_executor& ex, std::shared_ptr<RedisClientState> state,
                                 std::size_t index)
    : state_(std::move(state)),
      index_(index),
      endpoint_(RedisEndpointName(state_->opts)),
      strand_(asio::make_strand(ex)),
      resolver_(strand_),
      connect_timer_(strand_),
      backoff_timer_(strand_),
      watch_timer_(strand_) {}

RedisConnection::~RedisConnection() = default;

void RedisConnection::Stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->backoff_timer_.cancel();
    self->connect_timer_.cancel();
    self->Close(RedisError(kRedisUnavailable, "redis: client shut down"));
  });
}

asio::awaitable<void> RedisConnection::Run(std::shared_ptr<RedisConnection> self) {
  RedisClientState& st = *self->state_;
  auto backoff = st.opts.reconnect_min;
  bool connected_before = false;
  bool failing = false;
  while (!st.stopped.load()) {
    auto connected = co_await self->Connect();
    if (st.stopped.load()) break;
    if (!connected) {
      ++st.connection_errors;
      st.SetLastError(connected.error());
      ++st.failed_attempts;  // after SetLastError: WaitConnected reads them in this order
      if (!failing) spdlog::warn("{} (connection {})", connected.error().message, self->index_);
      failing = true;
      co_await self->Sleep(Jitter(backoff));
      backoff = std::min(backoff * 2, st.opts.reconnect_max);
      continue;
    }
    if (connected_before) ++st.reconnects;
    if (failing) spdlog::info("redis: connection {} to {} restored", self->index_, self->endpoint_);
    connected_before = true;
    failing = false;
    auto up_since = Clock::now();

    asio::co_spawn(self->strand_, Watchdog(self, self->gen_), asio::detached);
    co_await ReadLoop(self, self->stream_, self->gen_);  // returns once the connection is closed
    if (st.stopped.load()) break;

    failing = true;  // Close() counted the loss
    // A connection that lived a while resets the back-off; one that keeps dying at once does not.
    if (Clock::now() - up_since >= 1s) backoff = st.opts.reconnect_min;
    co_await self->Sleep(Jitter(backoff));
    backoff = std::min(backoff * 2, st.opts.reconnect_max);
  }
  self->Close(RedisError(kRedisUnavailable, "redis: client shut down"));
}

asio::awaitable<void> RedisConnection::Sleep(std::chrono::milliseconds d) {
  if (state_->stopped.load()) co_return;  // Stop() may have run already: its cancel would be lost
  backoff_timer_.expires_after(d);
  co_await backoff_timer_.async_wait(kUseTuple);
}

// --- connecting ----------------------------------------------------------------------------------

Error RedisConnection::ConnectFailure(std::string_view code, std::string_view what, const error_code& ec) const {
  if (state_->stopped.load()) return RedisError(kRedisUnavailable, "redis: client shut down");
  if (connect_timed_out_)
    return RedisError(
        code == kRedisTls ? kRedisTls : kRedisConnect,
        fmt::format("redis: {} {}: timed out after {} ms", what, endpoint_, state_->opts.connect_timeout.count()));
  return RedisError(code, fmt::format("redis: {} {}: {}", what, endpoint_, ec.message()));
}

void RedisConnection::OnConnectDeadline(std::uint64_t gen) {
  if (gen != gen_ || phase_ != Phase::kConnecting) return;
  connect_timed_out_ = true;
  resolver_.cancel();
  if (stream_) stream_->Close();
}

asio::awaitable<Result<void>> RedisConnection::Connect() {
  const RedisOptions& o = state_->opts;
  ++gen_;
  phase_ = Phase::kConnecting;
  connect_timed_out_ = false;
  stream_.reset();
  pending_.clear();
  wbuf_.clear();
  writing_ = false;
  parser_ = RedisReplyParser();
  auto fail = [this](Error e) -> Result<void> {
    connect_timer_.cancel();
    if (stream_) stream_->Close();
    phase_ = Phase::kClosed;
    return Fail(std::move(e));
  };
  if (state_->ssl_error) co_return fail(*state_->ssl_error);

  connect_timer_.expires_after(o.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this(), gen = gen_](const error_code& ec) {
    if (!ec) self->OnConnectDeadline(gen);
  });

  auto [rec, endpoints] = co_await resolver_.async_resolve(o.host, std::to_string(o.port), kUseTuple);
  if (rec || connect_timed_out_ || state_->stopped.load())
    co_return fail(ConnectFailure(kRedisConnect, "cannot resolve", rec));
  stream_ = std::make_shared<RedisStream>(strand_, state_->ssl.get());
  auto [cec, ep] = co_await asio::async_connect(stream_->socket(), endpoints, kUseTuple);
  if (cec || connect_timed_out_ || state_->stopped.load())
    co_return fail(ConnectFailure(kRedisConnect, "cannot connect to", cec));
  error_code ignored;
  stream_->socket().set_option(asio::ip::tcp::no_delay(true), ignored);

  if (stream_->tls()) {
    std::string why;
    if (!stream_->PrepareTls(o.host, o.tls_verify_peer, why))
      co_return fail(RedisError(kRedisTls, fmt::format("redis: TLS set-up for {}: {}", endpoint_, why)));
    auto [hec] = co_await stream_->AsyncHandshake(kUseTuple);
    if (hec || connect_timed_out_ || state_->stopped.load())
      co_return fail(ConnectFailure(kRedisTls, "TLS handshake with", hec));
  }

  auto hs = co_await Handshake();
  if (!hs) co_return fail(hs.error());
  connect_timer_.cancel();
  phase_ = Phase::kReady;
  last_progress_ = Clock::now();
  ready_.store(true, std::memory_order_release);
  co_return Result<void>{};
}

// AUTH (when a password is set), SELECT (when db != 0) and PING, in one write; all must succeed.
asio::awaitable<Result<void>> RedisConnection::Handshake() {
  const RedisOptions& o = state_->opts;
  std::string bytes;
  std::vector<std::string> names;
  if (!o.password.empty() || (!o.username.empty() && o.username != "default")) {
    if (o.username.empty() || o.username == "default") {
      bytes += FormatCommand(std::vector<std::string>{"AUTH", o.password});
    } else {
      bytes += FormatCommand(std::vector<std::string>{"AUTH", o.username, o.password});
    }
    names.push_back("AUTH");
  }
  if (o.db != 0) {
    bytes += FormatCommand(std::vector<std::string>{"SELECT", std::to_string(o.db)});
    names.push_back("SELECT");
  }
  bytes += FormatCommand(std::vector<std::string>{"PING"});
  names.push_back("PING");

  auto stream = stream_;
  auto [wec, wn] = co_await stream->AsyncWrite(asio::buffer(bytes), kUseTuple);
  if (wec || connect_timed_out_ || state_->stopped.load())
    co_return Fail(ConnectFailure(kRedisUnavailable, "cannot write to", wec));

  std::vector<RedisReply> replies;
  std::array<char, 4096> buf;
  while (replies.size() < names.size()) {
    auto [rec, n] = co_await stream->AsyncReadSome(asio::buffer(buf), kUseTuple);
    if (connect_timed_out_)
      co_return Fail(RedisError(kRedisTimeout, fmt::format("redis: {} did not answer {} within {} ms", endpoint_,
                                                           names.back(), o.connect_timeout.count())));
    if (rec) {
      // A server that refuses us (max clients, protected mode) says why before it hangs up.
      for (const auto& r : replies) {
        if (!r.IsError()) continue;
        co_return Fail(RedisError(IsAuthError(r) ? kRedisAuth : kRedisUnavailable,
                                  fmt::format("redis: {} refused the connection: {}", endpoint_, r.str)));
      }
      auto msg = fmt::format("redis: {} closed the connection during the handshake ({}){}", endpoint_, LostMessage(rec),
                             o.tls ? "" : "; if it only speaks TLS, use rediss://");
      co_return Fail(RedisError(kRedisUnavailable, std::move(msg)));
    }
    if (auto fed = parser_.Feed(std::string_view(buf.data(), n)); !fed) co_return Fail(fed.error());
    for (;;) {
      auto next = parser_.Next();
      if (!next) co_return Fail(next.error());
      if (!*next) break;
      replies.push_back(std::move(**next));
    }
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const RedisReply& r = replies[i];
    if (IsAuthError(r))
      co_return Fail(RedisError(kRedisAuth, fmt::format("redis: {} refused {}: {}", endpoint_, names[i], r.str)));
    if (r.IsError() || (names[i] == "PING" && !r.IsStatus("PONG")) || (names[i] != "PING" && !r.IsStatus("OK")))
      co_return Fail(RedisError(
          kRedisUnavailable, fmt::format("redis: {} answered {} with {}", endpoint_, names[i], DescribeRedisReply(r))));
  }
  if (replies.size() != names.size() || parser_.Buffered() != 0)
    co_return Fail(RedisError(kRedisProtocol, fmt::format("redis: {} sent more than was asked", endpoint_)));
  co_return Result<void>{};
}

// --- serving -------------------------------------------------------------------------------------

asio::awaitable<Result<std::vector<RedisReply>>> RedisConnection::Call(std::shared_ptr<RedisConnection> self,
                                                                       std::string bytes, std::size_t count,
                                                                       Clock::time_point deadline) {
  RedisConnection& c = *self;
  if (c.phase_ != Phase::kReady) co_return Fail(RedisError(kRedisNotReady, "redis: connection not ready"));
  if (Clock::now() >= deadline) {
    ++c.state_->timeouts;
    co_return Fail(RedisError(kRedisTimeout, "redis: no time left for the command"));
  }
  auto pending = std::make_shared<Pending>(c.strand_, count);
  if (c.pending_.empty()) c.last_progress_ = Clock::now();
  c.pending_.push_back(pending);
  c.wbuf_ += bytes;
  if (!c.writing_) {
    c.writing_ = true;
    asio::co_spawn(c.strand_, WriteLoop(self, c.stream_, c.gen_), asio::detached);
  }
  pending->timer.expires_at(deadline);
  co_await pending->timer.async_wait(kUseTuple);  // cancelled when the replies (or an error) arrive
  if (pending->done) {
    if (pending->error) co_return Fail(*pending->error);
    co_return std::move(pending->replies);
  }
  pending->abandoned = true;  // its replies, when they come, are dropped
  pending->replies.clear();
  ++c.state_->timeouts;
  co_return Fail(RedisError(kRedisTimeout, fmt::format("redis: no reply from {} within {} ms", c.endpoint_,
                                                       c.state_->opts.command_timeout.count())));
}

asio::awaitable<void> RedisConnection::WriteLoop(std::shared_ptr<RedisConnection> self,
                                                 std::shared_ptr<RedisStream> stream, std::uint64_t gen) {
  std::string out;
  while (gen == self->gen_ && self->phase_ == Phase::kReady && !self->wbuf_.empty()) {
    out.clear();
    out.swap(self->wbuf_);
    auto [ec, n] = co_await stream->AsyncWrite(asio::buffer(out), kUseTuple);
    if (gen != self->gen_) co_return;  // a newer connection owns the state now
    if (ec) {
      self->Close(RedisError(kRedisUnavailable,
                             fmt::format("redis: connection to {} lost: {}", self->endpoint_, LostMessage(ec))));
      co_return;
    }
  }
  if (gen == self->gen_) self->writing_ = false;
}

asio::awaitable<void> RedisConnection::ReadLoop(std::shared_ptr<RedisConnection> self,
                                                std::shared_ptr<RedisStream> stream, std::uint64_t gen) {
  std::array<char, 16 * 1024> buf;
  for (;;) {
    auto [ec, n] = co_await stream->AsyncReadSome(asio::buffer(buf), kUseTuple);
    if (gen != self->gen_ || self->phase_ != Phase::kReady) co_return;
    if (ec) {
      auto msg = fmt::format("redis: connection to {} lost: {}", self->endpoint_, LostMessage(ec));
      spdlog::warn("{}", msg);
      self->Close(RedisError(kRedisUnavailable, std::move(msg)));
      co_return;
    }
    if (auto fed = self->parser_.Feed(std::string_view(buf.data(), n)); !fed) {
      self->Close(fed.error());
      co_return;
    }
    for (;;) {
      auto next = self->parser_.Next();
      if (!next) {
        spdlog::warn("redis: {}: {}", self->endpoint_, next.error().message);
        self->Close(next.error());
        co_return;
      }
      if (!*next) break;
      if (!self->Deliver(std::move(**next))) co_return;
    }
  }
}

bool RedisConnection::Deliver(RedisReply reply) {
  if (pending_.empty()) {
    spdlog::warn("redis: {} sent a reply nobody asked for; reconnecting", endpoint_);
    Close(RedisError(kRedisProtocol, fmt::format("redis: {} sent an unexpected reply", endpoint_)));
    return false;
  }
  last_progress_ = Clock::now();
  Pending& p = *pending_.front();
  if (!p.abandoned) p.replies.push_back(std::move(reply));
  if (++p.received == p.count) {
    auto finished = std::move(pending_.front());
    pending_.pop_front();
    if (!finished->abandoned) {
      finished->done = true;
      finished->timer.cancel();
    }
  }
  return true;
}

// A server that accepts commands but never answers (stopped, overloaded, a black hole) would keep
// every caller waiting for its full timeout: drop the connection so that the pool reconnects.
asio::awaitable<void> RedisConnection::Watchdog(std::shared_ptr<RedisConnection> self, std::uint64_t gen) {
  const auto stall = self->state_->StallTimeout();
  while (gen == self->gen_ && self->phase_ == Phase::kReady) {
    self->watch_timer_.expires_after(std::max<std::chrono::milliseconds>(stall / 4, 10ms));
    co_await self->watch_timer_.async_wait(kUseTuple);  // Close() cancels it
    if (gen != self->gen_ || self->phase_ != Phase::kReady) co_return;
    if (!self->pending_.empty() && Clock::now() - self->last_progress_ > stall) {
      auto msg = fmt::format("redis: {} has not answered for {} ms; reconnecting", self->endpoint_, stall.count());
      spdlog::warn("{}", msg);
      self->Close(RedisError(kRedisTimeout, std::move(msg)));
      co_return;
    }
  }
}

void RedisConnection::Close(const Error& why) {
  if (phase_ == Phase::kClosed) return;
  bool was_ready = phase_ == Phase::kReady;
  phase_ = Phase::kClosed;
  // Counted before the connection stops looking ready: whoever sees it down (Connected()) also
  // sees the error counted and recorded.
  if (was_ready && !state_->stopped.load()) {
    ++state_->connection_errors;
    state_->SetLastError(why);
  }
  ready_.store(false, std::memory_order_release);
  resolver_.cancel();
  if (stream_) stream_->Close();
  wbuf_.clear();
  writing_ = false;
  watch_timer_.cancel();
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& p : pending) {
    if (p->abandoned || p->done) continue;
    p->error = why;
    p->done = true;
    p->timer.cancel();
  }
}

}  // namespace iam::cache::detail
