// RedisClient against real Redis servers: commands and replies, binary values, pipelining under
// concurrency, and what happens when the server dies, restarts, stalls or never answers. The
// shared harness server (IAM_TEST_REDIS_URL) serves the plain tests; tests that kill or pause a
// server start their own (support/redis_server.hpp); a fake TCP server plays a Redis that accepts
// but never answers. Timing bounds are generous on purpose (the machine is shared and ASan is slow).
#include "cache/redis_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <list>
#include <random>
#include <set>
#include <thread>

#include "support/redis_server.hpp"
#include "support/test_env.hpp"

namespace iam::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Args = std::vector<std::string>;

// An io_context run by `n` threads until Join(), which must find it drained: every coroutine of a
// shut-down client has ended.
class IoThreads {
 public:
  explicit IoThreads(int n = 2) : guard_(asio::make_work_guard(ioc_)) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~IoThreads() { Join(); }

  asio::io_context& ioc() { return ioc_; }

  template <typename T>
  T Run(asio::awaitable<T> op) {
    return asio::co_spawn(ioc_, std::move(op), asio::use_future).get();
  }

  // Returns false when work was still pending after 5 s (then stops the context anyway).
  bool Join() {
    if (threads_.empty()) return true;
    guard_.reset();
    auto deadline = Clock::now() + 5s;
    while (!ioc_.stopped() && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    bool drained = ioc_.stopped();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    return drained;
  }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds max) {
  auto deadline = Clock::now() + max;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

RedisOptions OptionsFor(const std::string& url) {
  auto o = ParseRedisUrl(url);
  EXPECT_TRUE(o) << o.error().message;
  RedisOptions opts = o ? *o : RedisOptions{};
  opts.command_timeout = 2000ms;  // generous for plain tests: ASan on a shared machine
  opts.connect_timeout = 2000ms;
  opts.reconnect_min = 20ms;
  opts.reconnect_max = 200ms;
  return opts;
}

std::string UniquePrefix() {
  std::mt19937_64 rng{std::random_device{}()};
  return "iam-test:redis-client:" + std::to_string(rng()) + ":";
}

// A connected client on the harness server, or a skip.
class RedisClientTest : public ::testing::Test {
 protected:
  void Connect(RedisOptions opts) {
    client_ = std::make_unique<RedisClient>(io_.ioc().get_executor(), std::move(opts));
    client_->Start();
    auto up = io_.Run(client_->WaitConnected(5s));
    ASSERT_TRUE(up) << up.error().message;
  }
  Result<RedisReply> Exec(Args args) { return io_.Run(client_->Execute(std::move(args))); }
  void TearDown() override {
    client_.reset();
    EXPECT_TRUE(io_.Join()) << "coroutines still running after the client was destroyed";
  }

  IoThreads io_;
  std::unique_ptr<RedisClient> client_;
  const std::string prefix_ = UniquePrefix();
};

#define IAM_CONNECT_TO_HARNESS()                        \
  do {                                                  \
    IAM_REQUIRE_REDIS(url_);                            \
    ASSERT_NO_FATAL_FAILURE(Connect(OptionsFor(url_))); \
  } while (0)

TEST_F(RedisClientTest, CommandsGetTheirReplies) {
  IAM_CONNECT_TO_HARNESS();
  const std::string k = prefix_ + "k", n = prefix_ + "n", s = prefix_ + "s", l = prefix_ + "l";
  struct Case {
    Args args;
    RedisReply want;
  };
  const Case kCases[] = {
      {{"SET", k, "v"}, RedisReply::Status("OK")},
      {{"GET", k}, RedisReply::String("v")},
      {{"GET", prefix_ + "missing"}, RedisReply::Nil()},
      {{"INCR", n}, RedisReply::Integer(1)},
      {{"INCR", n}, RedisReply::Integer(2)},
      {{"INCRBY", n, "-5"}, RedisReply::Integer(-3)},
      {{"EXPIRE", k, "100"}, RedisReply::Integer(1)},
      {{"EXPIRE", prefix_ + "missing", "100"}, RedisReply::Integer(0)},
      {{"RPUSH", l, "a", "b"}, RedisReply::Integer(2)},
      {{"LRANGE", l, "0", "-1"}, RedisReply::Array({RedisReply::String("a"), RedisReply::String("b")})},
      {{"LRANGE", prefix_ + "missing", "0", "-1"}, RedisReply::Array({})},
      {{"DEL", k, n, l}, RedisReply::Integer(3)},
      {{"GET", k}, RedisReply::Nil()},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.args[0] + " " + c.args[1]);
    auto r = Exec(c.args);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, c.want);
  }
  // PTTL: the remaining time of a fresh 100 s TTL.
  ASSERT_TRUE(Exec({"SET", k, "v", "EX", "100"}));
  auto pttl = Exec({"PTTL", k});
  ASSERT_TRUE(pttl);
  ASSERT_EQ(pttl->type, RedisReply::Type::kInteger);
  EXPECT_GT(pttl->integer, 90'000);
  EXPECT_LE(pttl->integer, 100'000);
  EXPECT_EQ(*Exec({"PTTL", prefix_ + "missing"}), RedisReply::Integer(-2));
  // An error reply is a reply, and the connection stays usable.
  ASSERT_TRUE(Exec({"SET", s, "abc"}));
  auto err = Exec({"INCR", s});
  ASSERT_TRUE(err) << err.error().message;
  EXPECT_TRUE(err->IsError());
  EXPECT_TRUE(err->str.starts_with("ERR")) << err->str;
  auto unknown = Exec({"NO-SUCH-COMMAND"});
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(unknown->IsError());
  EXPECT_EQ(*Exec({"DEL", k, s}), RedisReply::Integer(2));
}

TEST_F(RedisClientTest, BinaryKeysAndValuesRoundTrip) {
  IAM_CONNECT_TO_HARNESS();
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
  const std::string kValues[] = {"",
                                 std::string("\0", 1),
                                 std::string("a\0b", 3),
                                 "\r\n",
                                 "$3\r\nfoo\r\n",
                                 "*1\r\n:1\r\n",
                                 "-ERR not an error\r\n",
                                 all_bytes,
                                 big};
  int i = 0;
  for (const auto& v : kValues) {
    SCOPED_TRACE("value #" + std::to_string(i));
    std::string key = prefix_ + std::string("bin\0\r\n", 6) + std::to_string(i++);
    auto set = Exec({"SET", key, v});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_TRUE(set->IsStatus("OK"));
    auto get = Exec({"GET", key});
    ASSERT_TRUE(get) << get.error().message;
    ASSERT_EQ(get->type, RedisReply::Type::kString);
    EXPECT_EQ(get->str.size(), v.size());
    EXPECT_TRUE(get->str == v);
    EXPECT_EQ(*Exec({"STRLEN", key}), RedisReply::Integer(static_cast<std::int64_t>(v.size())));
    EXPECT_EQ(*Exec({"DEL", key}), RedisReply::Integer(1));
  }
}

TEST_F(RedisClientTest, PipelineRepliesComeInOrder) {
  IAM_CONNECT_TO_HARNESS();
  const std::string k = prefix_ + "p";
  auto r = io_.Run(client_->ExecutePipeline(
      {{"SET", k, "10"}, {"INCR", k}, {"GET", k}, {"INCR", prefix_ + "bad", "x"}, {"DEL", k}}));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0], RedisReply::Status("OK"));
  EXPECT_EQ((*r)[1], RedisReply::Integer(11));
  EXPECT_EQ((*r)[2], RedisReply::String("11"));
  EXPECT_TRUE((*r)[3].IsError());  // wrong arity: an error reply inside the pipeline
  EXPECT_EQ((*r)[4], RedisReply::Integer(1));
  auto empty = io_.Run(client_->ExecutePipeline({}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

// ECHO of a payload only this call uses: a reply matched to the wrong caller shows up as a mismatch.
std::string Payload(int i) {
  std::string s = "#" + std::to_string(i) + ":";
  s.append(static_cast<std::size_t>(i * 37 % 1500), static_cast<char>('a' + i % 26));
  if (i % 7 == 0) s += std::string("\0\r\n", 3);
  return s;
}

asio::awaitable<void> EchoOne(RedisClient* client, int i, std::atomic<int>* ok, std::atomic<int>* done) {
  Args args;  // (g++ 12 cannot build a braced list of string literals inside a coroutine)
  args.push_back("ECHO");
  args.push_back(Payload(i));
  auto r = co_await client->Execute(std::move(args));
  if (r && r->type == RedisReply::Type::kString && r->str == Payload(i)) ++*ok;
  ++*done;
}

asio::awaitable<void> EchoPipeline(RedisClient* client, int first, int count, std::atomic<int>* ok,
                                   std::atomic<int>* done) {
  std::vector<Args> cmds;
  for (int i = first; i < first + count; ++i) {
    cmds.emplace_back();
    cmds.back().push_back("ECHO");
    cmds.back().push_back(Payload(i));
  }
  auto r = co_await client->ExecutePipeline(std::move(cmds));
  for (int i = 0; i < count; ++i) {
    if (r && (*r)[static_cast<std::size_t>(i)].str == Payload(first + i)) ++*ok;
    ++*done;
  }
}

TEST_F(RedisClientTest, ThousandConcurrentCommandsOnTwoThreadsEachGetTheirOwnReply) {
  IAM_CONNECT_TO_HARNESS();
  std::atomic<int> ok{0}, done{0};
  for (int i = 0; i < 800; ++i) asio::co_spawn(io_.ioc(), EchoOne(client_.get(), i, &ok, &done), asio::detached);
  for (int p = 0; p < 20; ++p)
    asio::co_spawn(io_.ioc(), EchoPipeline(client_.get(), 800 + p * 10, 10, &ok, &done), asio::detached);
  ASSERT_TRUE(WaitFor([&] { return done.load() == 1000; }, 20s)) << done.load() << " of 1000 finished";
  EXPECT_EQ(ok.load(), 1000);
  auto stats = client_->Stats();
  EXPECT_GE(stats.commands, 1000u);
  EXPECT_EQ(stats.timeouts, 0u);
  EXPECT_EQ(stats.connection_errors, 0u);
}

// Waits on a strand: the reply must resume the caller there, not on the connection's strand.
asio::awaitable<void> PingOnStrand(RedisClient* client, asio::strand<asio::io_context::executor_type>* strand,
                                   std::atomic<int>* on_strand, std::atomic<int>* done) {
  for (int i = 0; i < 5; ++i) {
    auto r = co_await client->Execute(Args(1, "PING"));
    if (r && strand->running_in_this_thread()) ++*on_strand;
  }
  ++*done;
}

TEST_F(RedisClientTest, ResumesTheCallerOnItsOwnExecutor) {
  IAM_CONNECT_TO_HARNESS();
  auto strand = asio::make_strand(io_.ioc());
  std::atomic<int> on_strand{0}, done{0};
  for (int i = 0; i < 20; ++i)
    asio::co_spawn(strand, PingOnStrand(client_.get(), &strand, &on_strand, &done), asio::detached);
  ASSERT_TRUE(WaitFor([&] { return done.load() == 20; }, 10s));
  EXPECT_EQ(on_strand.load(), 100);
}

// CLIENT ID `n` times from the calling coroutine's context; the connection ids seen.
asio::awaitable<std::set<long long>> ClientIdsFrom(RedisClient* client, int n) {
  static const Args kClientId{"CLIENT", "ID"};  // named: g++ 12 rejects literals braced in a coroutine
  std::set<long long> ids;
  for (int i = 0; i < n; ++i) {
    auto r = co_await client->Execute(kClientId);
    if (r && r->type == RedisReply::Type::kInteger) ids.insert(r->integer);
  }
  co_return ids;
}

// Given one executor per single-threaded io_context (the server's I/O threads), a command goes to
// a connection on the caller's own context: no other thread is woken on the way to Redis and back.
TEST_F(RedisClientTest, CommandsUseAConnectionOnTheCallersOwnContext) {
  IAM_REQUIRE_REDIS(url_);
  asio::io_context a(1), b(1);
  auto guard_a = asio::make_work_guard(a);
  auto guard_b = asio::make_work_guard(b);
  std::thread ta([&] { a.run(); }), tb([&] { b.run(); });
  RedisOptions opts = OptionsFor(url_);
  opts.connections = 1;  // rounded up: one per context
  auto client = std::make_unique<RedisClient>(std::vector<asio::any_io_executor>{a.get_executor(), b.get_executor()},
                                              opts);
  client->Start();
  // Both connections up (each context's own), then 20 commands from each context.
  auto up = asio::co_spawn(a, client->WaitConnected(5s), asio::use_future).get();
  ASSERT_TRUE(up) << up.error().message;
  std::set<long long> from_a, from_b;
  ASSERT_TRUE(WaitFor(
      [&] {
        from_a = asio::co_spawn(a, ClientIdsFrom(client.get(), 20), asio::use_future).get();
        from_b = asio::co_spawn(b, ClientIdsFrom(client.get(), 20), asio::use_future).get();
        return from_a.size() == 1 && from_b.size() == 1 && from_a != from_b;
      },
      5s))
      << "ids from a: " << from_a.size() << ", from b: " << from_b.size();
  client.reset();
  guard_a.reset();
  guard_b.reset();
  ta.join();
  tb.join();
}

TEST_F(RedisClientTest, NotStartedOrEmptyCommandFailsAtOnce) {
  client_ = std::make_unique<RedisClient>(io_.ioc().get_executor(), RedisOptions{});
  auto t0 = Clock::now();
  auto r = Exec({"PING"});
  EXPECT_LT(Clock::now() - t0, 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().code, kRedisUnavailable);
  EXPECT_FALSE(client_->Connected());
  EXPECT_EQ(client_->Stats().rejected, 1u);
  auto empty = Exec({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::kInvalidArgument);
}

TEST_F(RedisClientTest, ConnectionRefusedIsReportedAsConnectError) {
  unsigned short port = 0;
  {
    asio::ip::tcp::acceptor a(io_.ioc(), {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  auto opts = OptionsFor("redis://127.0.0.1:" + std::to_string(port));
  client_ = std::make_unique<RedisClient>(io_.ioc().get_executor(), opts);
  client_->Start();
  auto up = io_.Run(client_->WaitConnected(5s));
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, kRedisConnect);
  EXPECT_NE(up.error().message.find("refused"), std::string::npos) << up.error().message;
  auto r = Exec({"PING"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
}

// --- failures of a server this test owns ------------------------------------------------------------

#define IAM_START_OWN_SERVER(server)      \
  IAM_REQUIRE_REDIS_SERVER_BINARY(false); \
  ::iam::test::RedisServer server;        \
  ASSERT_TRUE(server.Start()) << server.error()

TEST_F(RedisClientTest, KilledServerFailsFastThenClientReconnectsAfterRestart) {
  IAM_START_OWN_SERVER(server);
  auto opts = OptionsFor(server.url());
  opts.command_timeout = 300ms;
  ASSERT_NO_FATAL_FAILURE(Connect(opts));
  ASSERT_TRUE(Exec({"SET", "k", "before"}));

  ASSERT_TRUE(server.Stop());
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE("call " + std::to_string(i) + " after the kill");
    auto t0 = Clock::now();
    auto r = Exec({"GET", "k"});
    EXPECT_LT(Clock::now() - t0, 1s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  }
  EXPECT_TRUE(WaitFor([&] { return !client_->Connected(); }, 2s));

  ASSERT_TRUE(server.Restart()) << server.error();
  EXPECT_TRUE(WaitFor([&] { return client_->Connected(); }, 5s)) << "no reconnection after the restart";
  bool answered = WaitFor(
      [&] {
        auto r = Exec({"SET", "k", "after"});
        return r && r->IsStatus("OK");
      },
      5s);
  EXPECT_TRUE(answered);
  EXPECT_EQ(*Exec({"GET", "k"}), RedisReply::String("after"));  // a new server: the old value is gone
  auto stats = client_->Stats();
  EXPECT_GE(stats.reconnects, 1u);
  EXPECT_GE(stats.connection_errors, 1u);
}

TEST_F(RedisClientTest, PendingCommandsFailAtOnceWhenTheConnectionDrops) {
  IAM_START_OWN_SERVER(server);
  auto opts = OptionsFor(server.url());
  opts.command_timeout = 5000ms;  // far longer than the bound below: the failure is not a timeout
  opts.stall_timeout = 10000ms;
  opts.connections = 1;
  ASSERT_NO_FATAL_FAILURE(Connect(opts));

  ASSERT_TRUE(server.Pause());
  std::vector<std::future<Result<RedisReply>>> calls;
  for (int i = 0; i < 20; ++i)
    calls.push_back(asio::co_spawn(io_.ioc(), client_->Execute({"GET", "k" + std::to_string(i)}), asio::use_future));
  std::this_thread::sleep_for(200ms);  // written and waiting
  for (auto& f : calls) ASSERT_EQ(f.wait_for(0s), std::future_status::timeout) << "answered by a paused server?";

  auto t0 = Clock::now();
  ASSERT_TRUE(server.Stop());  // SIGKILL: the kernel resets the connection
  for (auto& f : calls) {
    ASSERT_EQ(f.wait_until(t0 + 2s), std::future_status::ready);
    auto r = f.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, kRedisUnavailable) << r.error().message;
  }
  EXPECT_EQ(client_->Stats().timeouts, 0u);
}

// Blocks the server for 300 ms (Lua busy loop), then answers "slow".
const char kSlowScript[] = R"(
  local t0 = redis.call('TIME')
  while true do
    local t = redis.call('TIME')
    if (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 300000 then return 'slow' end
  end)";

TEST_F(RedisClientTest, LateReplyOfATimedOutCommandIsDroppedNotGivenToTheNextCaller) {
  IAM_START_OWN_SERVER(server);
  auto opts = OptionsFor(server.url());
  opts.command_timeout = 100ms;
  opts.stall_timeout = 5000ms;  // keep the connection: this is about the reply queue
  opts.connections = 1;
  ASSERT_NO_FATAL_FAILURE(Connect(opts));

  auto slow = Exec({"EVAL", kSlowScript, "0"});
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, kRedisTimeout);
  std::this_thread::sleep_for(500ms);  // "slow" arrives meanwhile, for nobody
  auto next = Exec({"ECHO", "mine"});
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(*next, RedisReply::String("mine"));
  auto stats = client_->Stats();
  EXPECT_EQ(stats.timeouts, 1u);
  EXPECT_EQ(stats.connection_errors, 0u);
}

TEST_F(RedisClientTest, PausedServerTimesOutThenConnectionIsReplacedAfterResume) {
  IAM_START_OWN_SERVER(server);
  auto opts = OptionsFor(server.url());
  opts.command_timeout = 100ms;  // stall limit: 4 x 100 ms = 400 ms
  opts.connect_timeout = 200ms;
  opts.connections = 1;
  ASSERT_NO_FATAL_FAILURE(Connect(opts));

  ASSERT_TRUE(server.Pause());
  auto t0 = Clock::now();
  auto r = Exec({"PING"});
  EXPECT_LT(Clock::now() - t0, 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kRedisTimeout);
  // The stalled connection is dropped (and reconnection attempts time out while paused).
  EXPECT_TRUE(WaitFor([&] { return !client_->Connected(); }, 3s));
  EXPECT_GE(client_->Stats().connection_errors, 1u);

  ASSERT_TRUE(server.Resume());
  bool answered = WaitFor(
      [&] {
        auto p = Exec({"PING"});
        return p && p->IsStatus("PONG");
      },
      5s);
  EXPECT_TRUE(answered);
}

TEST_F(RedisClientTest, ShutdownFailsPendingCommandsAndLaterCallsAtOnce) {
  IAM_START_OWN_SERVER(server);
  auto opts = OptionsFor(server.url());
  opts.command_timeout = 5000ms;
  opts.stall_timeout = 10000ms;
  ASSERT_NO_FATAL_FAILURE(Connect(opts));
  ASSERT_TRUE(server.Pause());
  std::vector<std::future<Result<RedisReply>>> calls;
  for (int i = 0; i < 10; ++i) calls.push_back(asio::co_spawn(io_.ioc(), client_->Execute({"PING"}), asio::use_future));
  std::this_thread::sleep_for(100ms);

  auto t0 = Clock::now();
  client_->Shutdown();
  for (auto& f : calls) {
    ASSERT_EQ(f.wait_until(t0 + 2s), std::future_status::ready);
    auto r = f.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, kRedisUnavailable);
    EXPECT_NE(r.error().message.find("shut down"), std::string::npos) << r.error().message;
  }
  auto later = Exec({"PING"});
  ASSERT_FALSE(later);
  EXPECT_FALSE(client_->Connected());
  client_.reset();
  EXPECT_TRUE(io_.Join()) << "the client's coroutines did not end after Shutdown";
  server.Resume();
}

// --- a server that accepts but does not speak Redis -------------------------------------------------

// Accepts connections on a loopback port and reads whatever comes; answers "+PONG" to the first
// read of each connection when `pong_first` (so that the client's handshake succeeds), then nothing.
class SilentServer {
 public:
  explicit SilentServer(bool pong_first)
      : pong_first_(pong_first), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    asio::co_spawn(ioc_, AcceptLoop(this), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~SilentServer() {
    ioc_.stop();
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const { return accepted_.load(); }
  int closed_by_client() const { return closed_.load(); }

 private:
  static asio::awaitable<void> AcceptLoop(SilentServer* s) {
    for (;;) {
      auto [ec, sock] = co_await s->acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++s->accepted_;
      s->sockets_.push_back(std::make_unique<asio::ip::tcp::socket>(std::move(sock)));
      asio::co_spawn(s->ioc_, Serve(s, s->sockets_.back().get()), asio::detached);
    }
  }
  static asio::awaitable<void> Serve(SilentServer* s, asio::ip::tcp::socket* sock) {
    char buf[4096];
    bool first = true;
    for (;;) {
      auto [ec, n] = co_await sock->async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        ++s->closed_;
        co_return;
      }
      if (first && s->pong_first_)
        co_await asio::async_write(*sock, asio::buffer("+PONG\r\n", 7), asio::as_tuple(asio::use_awaitable));
      first = false;
    }
  }

  const bool pong_first_;
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_;
  std::list<std::unique_ptr<asio::ip::tcp::socket>> sockets_;
  std::atomic<int> accepted_{0}, closed_{0};
  std::thread thread_;
};

TEST_F(RedisClientTest, ServerThatNeverAnswersFailsEveryCommandWithinTimeout) {
  SilentServer fake(/*pong_first=*/false);
  auto opts = OptionsFor("redis://127.0.0.1:" + std::to_string(fake.port()));
  opts.command_timeout = 100ms;
  opts.connect_timeout = 200ms;
  client_ = std::make_unique<RedisClient>(io_.ioc().get_executor(), opts);
  client_->Start();
  ASSERT_TRUE(WaitFor([&] { return fake.accepted() >= 2; }, 3s)) << "the client never connected";

  std::vector<std::future<Result<RedisReply>>> calls;
  auto t0 = Clock::now();
  for (int i = 0; i < 20; ++i) calls.push_back(asio::co_spawn(io_.ioc(), client_->Execute({"PING"}), asio::use_future));
  for (auto& f : calls) {
    ASSERT_EQ(f.wait_until(t0 + 1s), std::future_status::ready);
    auto r = f.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  }
  EXPECT_FALSE(client_->Connected());
  // The handshake's PING is what went unanswered; attempts keep failing with that.
  auto up = io_.Run(client_->WaitConnected(3s));
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, kRedisTimeout);
  EXPECT_NE(up.error().message.find("did not answer"), std::string::npos) << up.error().message;
}

TEST_F(RedisClientTest, ConnectionThatStopsAnsweringIsDroppedAndReplaced) {
  SilentServer fake(/*pong_first=*/true);
  auto opts = OptionsFor("redis://127.0.0.1:" + std::to_string(fake.port()));
  opts.command_timeout = 100ms;
  opts.stall_timeout = 300ms;
  opts.connections = 1;
  ASSERT_NO_FATAL_FAILURE(Connect(opts));

  auto t0 = Clock::now();
  auto r = Exec({"GET", "k"});
  EXPECT_LT(Clock::now() - t0, 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kRedisTimeout);
  EXPECT_EQ(client_->Stats().timeouts, 1u);
  // No reply for 300 ms with a command pending: the client closes the connection and opens another.
  EXPECT_TRUE(WaitFor([&] { return fake.closed_by_client() >= 1 && fake.accepted() >= 2; }, 5s))
      << "closed " << fake.closed_by_client() << ", accepted " << fake.accepted();
  EXPECT_GE(client_->Stats().connection_errors, 1u);
  EXPECT_TRUE(WaitFor([&] { return client_->Connected(); }, 3s));
}

}  // namespace
}  // namespace iam::cache
