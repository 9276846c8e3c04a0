#include "cache/redis_cluster_client.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>

#include "cache/redis_client.hpp"
#include "cache/redis_error.hpp"
#include "cache/redis_slot.hpp"

namespace iam::cache {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RedisClusterClient::State {
  State(asio::any_io_executor executor, RedisOptions o, std::vector<RedisNodeAddress> s, RedisClusterOptions c)
      : ex(executor), opts(std::move(o)), seeds(std::move(s)), cluster(c), strand(asio::make_strand(executor)),
        timer(strand) {
    opts.db = 0;
  }

  asio::any_io_executor ex;
  RedisOptions opts;
  const std::vector<RedisNodeAddress> seeds;
  const RedisClusterOptions cluster;
  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer timer;  // on `strand`: the refresh loop's sleep

  mutable std::mutex mu;
  std::shared_ptr<const RedisSlotMap> map;                     // guarded by mu
  std::map<std::string, std::shared_ptr<RedisClient>> clients;  // by host:port; guarded by mu
  std::optional<Error> last_error;                             // guarded by mu
  RedisClientStats retired;  // counters of pools closed since (counters never go back); guarded by mu

  std::atomic<bool> started{false}, stopped{false}, refresh_wanted{false};
  std::atomic<std::uint64_t> redirects{0}, refreshes{0}, refresh_failures{0};

  std::shared_ptr<const RedisSlotMap> Map() const {
    std::lock_guard lock(mu);
    return map;
  }

  // The pool of `node`, made (and started, once the client is) on first use.
  std::shared_ptr<RedisClient> ClientFor(const RedisNodeAddress& node) {
    std::lock_guard lock(mu);
    auto& c = clients[node.Name()];
    if (!c) {
      RedisOptions o = opts;
      o.host = node.host;
      o.port = node.port;
      c = std::make_shared<RedisClient>(ex, std::move(o));
      if (started.load() && !stopped.load()) c->Start();
    }
    return c;
  }

  void SetLastError(Error e) {
    std::lock_guard lock(mu);
    last_error = std::move(e);
  }

  void RefreshSoon(const std::shared_ptr<State>& self) {
    if (stopped.load() || refresh_wanted.exchange(true)) return;
    asio::post(strand, [self] { self->timer.cancel(); });
  }
};

namespace {

using State = RedisClusterClient::State;

void AddCounters(RedisClientStats& into, const RedisClientStats& n) {
  into.commands += n.commands;
  into.timeouts += n.timeouts;
  into.connection_errors += n.connection_errors;
  into.reconnects += n.reconnects;
  into.rejected += n.rejected;
}

// One attempt to load the slot map: from the masters already known (those connected first), then
// from the seeds.
asio::awaitable<bool> RefreshOnce(std::shared_ptr<State> s) {
  std::vector<RedisNodeAddress> candidates;
  if (auto map = s->Map()) candidates = map->Masters();
  for (const auto& seed : s->seeds)
    if (std::find(candidates.begin(), candidates.end(), seed) == candidates.end()) candidates.push_back(seed);
  std::stable_partition(candidates.begin(), candidates.end(),
                        [&s](const RedisNodeAddress& a) { return s->ClientFor(a)->Connected(); });
  std::optional<Error> why;
  for (const auto& node : candidates) {
    if (s->stopped.load()) co_return false;
    auto client = s->ClientFor(node);
    if (!client->Connected()) {
      auto up = co_await client->WaitConnected(s->opts.connect_timeout);
      if (!up) {
        why = up.error();
        continue;
      }
    }
    std::vector<std::string> cmd{"CLUSTER", "SLOTS"};
    auto reply = co_await client->Execute(std::move(cmd));
    if (!reply) {
      why = reply.error();
      continue;
    }
    auto map = RedisSlotMap::FromClusterSlots(*reply, node.host);
    if (!map) {
      why = map.error();
      continue;
    }
    if (map->CoveredSlots() < static_cast<std::size_t>(kRedisClusterSlots))
      spdlog::warn("redis cluster: {} of {} slots are served (asked {})", map->CoveredSlots(), kRedisClusterSlots,
                   node.Name());
    auto fresh = std::make_shared<const RedisSlotMap>(std::move(*map));
    for (const auto& m : fresh->Masters()) s->ClientFor(m);  // connect to every master early
    std::vector<std::shared_ptr<RedisClient>> retired;
    {
      std::lock_guard lock(s->mu);
      s->map = fresh;
      // Pools of nodes that serve no slot any more (a dead master replaced, a replica demoted, a
      // node removed) stop reconnecting; seeds stay, to ask for the map again. A call still using
      // one fails and is retried by the caller's next call on the new owner.
      for (auto it = s->clients.begin(); it != s->clients.end();) {
        const auto& masters = fresh->Masters();
        const bool master = std::any_of(masters.begin(), masters.end(), [&](const auto& m) { return m.Name() == it->first; });
        const bool seed = std::any_of(s->seeds.begin(), s->seeds.end(), [&](const auto& m) { return m.Name() == it->first; });
        if (master || seed) {
          ++it;
        } else {
          AddCounters(s->retired, it->second->Stats());
          retired.push_back(std::move(it->second));
          it = s->clients.erase(it);
        }
      }
    }
    for (auto& c : retired) c->Shutdown();
    ++s->refreshes;
    co_return true;
  }
  std::string names;
  for (const auto& n : candidates) names += (names.empty() ? "" : ", ") + n.Name();
  Error e = why ? *why : RedisError(kRedisUnavailable, "redis cluster: no node to ask for the slot map");
  e.message = fmt::format("redis cluster: no node answered CLUSTER SLOTS ({}): {}", names, e.message);
  s->SetLastError(e);
  ++s->refresh_failures;
  co_return false;
}

// Runs on the strand until Shutdown(): loads the map, then again every refresh_interval or as
// soon as RefreshSoon() asks (at most once per min_refresh_gap).
asio::awaitable<void> RefreshLoop(std::shared_ptr<State> s) {
  asio::steady_timer gap(s->strand);
  while (!s->stopped.load()) {
    s->refresh_wanted.store(false);
    const bool ok = co_await RefreshOnce(s);
    if (s->stopped.load()) break;
    if (!s->refresh_wanted.load()) {
      s->timer.expires_after(ok ? s->cluster.refresh_interval : std::max(s->cluster.min_refresh_gap, 200ms));
      co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    gap.expires_after(s->cluster.min_refresh_gap);
    co_await gap.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

struct Redirect {
  bool ask = false;
  int slot = -1;
  RedisNodeAddress to;
};

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381" (an empty host: the node that answered).
std::optional<Redirect> ParseRedirect(const RedisReply& r, const RedisNodeAddress& answered) {
  if (!r.IsError()) return std::nullopt;
  std::string_view s = r.str;
  Redirect out;
  if (s.starts_with("MOVED ")) {
    s.remove_prefix(6);
  } else if (s.starts_with("ASK ")) {
    s.remove_prefix(4);
    out.ask = true;
  } else {
    return std::nullopt;
  }
  auto space = s.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + space, out.slot);
  if (ec != std::errc() || p != s.data() + space) return std::nullopt;
  std::string addr(s.substr(space + 1));
  if (addr.starts_with(':')) addr = answered.host + addr;
  auto node = ParseRedisNodeAddress(addr);
  if (!node) return std::nullopt;
  out.to = *node;
  return out;
}

bool IsTransient(const RedisReply& r) {
  return r.IsError() && (r.str.starts_with("TRYAGAIN") || r.str.starts_with("CLUSTERDOWN"));
}

Error ShutDown() { return RedisError(kRedisUnavailable, "redis cluster: client shut down"); }

}  // namespace

RedisClusterClient::RedisClusterClient(asio::any_io_executor ex, RedisOptions node_options,
                                       std::vector<RedisNodeAddress> seeds, RedisClusterOptions cluster)
    : state_(std::make_shared<State>(std::move(ex), std::move(node_options), std::move(seeds), cluster)) {}

RedisClusterClient::~RedisClusterClient() { Shutdown(); }

void RedisClusterClient::Start() {
  if (state_->started.exchange(true) || state_->stopped.load()) return;
  {
    std::lock_guard lock(state_->mu);
    for (auto& [name, c] : state_->clients) c->Start();
  }
  asio::co_spawn(state_->strand, RefreshLoop(state_), asio::detached);
}

void RedisClusterClient::Shutdown() {
  if (state_->stopped.exchange(true)) return;
  auto s = state_;
  asio::post(s->strand, [s] { s->timer.cancel(); });
  std::lock_guard lock(s->mu);
  for (auto& [name, c] : s->clients) c->Shutdown();
}

void RedisClusterClient::RefreshSoon() { state_->RefreshSoon(state_); }

std::shared_ptr<const RedisSlotMap> RedisClusterClient::slot_map() const { return state_->Map(); }

std::vector<std::string> RedisClusterClient::Pools() const {
  std::lock_guard lock(state_->mu);
  std::vector<std::string> out;
  for (const auto& [name, c] : state_->clients) out.push_back(name);
  return out;
}

asio::awaitable<Result<RedisReply>> RedisClusterClient::Execute(std::vector<std::string> args) {
  std::vector<std::vector<std::string>> one;
  one.push_back(std::move(args));
  auto replies = co_await ExecutePipeline(std::move(one));
  if (!replies) co_return Fail(std::move(replies.error()));
  co_return std::move(replies->front());
}

asio::awaitable<Result<std::vector<RedisReply>>> RedisClusterClient::ExecutePipeline(
    std::vector<std::vector<std::string>> commands) {
  auto& s = *state_;
  const auto deadline = Clock::now() + s.opts.command_timeout;
  if (commands.empty()) co_return std::vector<RedisReply>{};
  std::optional<int> slot;
  for (const auto& c : commands) {
    if (c.empty()) co_return Fail(Error::InvalidArgument("redis: empty command"));
    if (auto key = RedisCommandKey(c)) {
      const int k = RedisKeySlot(*key);
      if (slot && *slot != k)
        co_return Fail(Error::InvalidArgument("redis cluster: the keys of a pipeline must share one slot"));
      slot = k;
    }
  }
  if (s.stopped.load()) co_return Fail(ShutDown());
  auto map = s.Map();
  if (!map) {
    RefreshSoon();
    auto last = LastError();
    co_return Fail(RedisError(kRedisUnavailable, "redis cluster: slot map not loaded yet" +
                                                     (last ? " (" + last->message + ")" : std::string())));
  }
  RedisNodeAddress target;
  if (slot) {
    const RedisNodeAddress* owner = map->NodeFor(*slot);
    if (owner == nullptr) {
      RefreshSoon();
      co_return Fail(RedisError(kRedisUnavailable, fmt::format("redis cluster: slot {} is not served", *slot)));
    }
    target = *owner;
  } else {
    const auto& masters = map->Masters();
    auto up = std::find_if(masters.begin(), masters.end(), [&s](const auto& m) { return s.ClientFor(m)->Connected(); });
    target = up != masters.end() ? *up : masters.front();
  }

  const std::size_t n = commands.size();
  std::vector<RedisReply> replies(n);
  std::vector<std::size_t> pending(n);
  for (std::size_t i = 0; i < n; ++i) pending[i] = i;
  bool asking = false;
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (int hop = 0;; ++hop) {
    std::vector<std::vector<std::string>> batch;
    for (std::size_t i : pending) {
      if (asking) batch.push_back({"ASKING"});
      batch.push_back(commands[i]);
    }
    auto client = s.ClientFor(target);
    auto r = co_await client->ExecutePipelineBefore(std::move(batch), deadline);
    if (!r) {
      RefreshSoon();  // a node lost or slow: the topology may have changed
      co_return Fail(std::move(r.error()));
    }
    std::vector<std::size_t> again;
    std::optional<Redirect> redirect;
    bool wait = false;
    for (std::size_t j = 0; j < pending.size(); ++j) {
      RedisReply& reply = (*r)[asking ? 2 * j + 1 : j];
      const std::size_t i = pending[j];
      if (auto rd = ParseRedirect(reply, target)) {
        if (!redirect) redirect = rd;
        again.push_back(i);
      } else if (IsTransient(reply)) {
        wait = true;
        again.push_back(i);
      }
      replies[i] = std::move(reply);
    }
    if (again.empty()) co_return replies;
    if (hop + 1 >= s.cluster.max_redirects || Clock::now() >= deadline) {
      if (redirect) RefreshSoon();
      co_return replies;  // the last MOVED / ASK / TRYAGAIN replies, as the answer
    }
    pending = std::move(again);
    if (redirect) {
      ++s.redirects;
      asking = redirect->ask;
      target = redirect->to;
      if (!redirect->ask) {
        auto updated = std::make_shared<RedisSlotMap>(*s.Map());
        updated->Assign(redirect->slot, redirect->to);
        {
          std::lock_guard lock(s.mu);
          s.map = std::move(updated);
        }
        RefreshSoon();
      }
    } else if (wait) {
      asking = false;
      pause.expires_at(std::min(deadline, Clock::now() + 10ms));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

std::vector<std::string> RedisClusterClient::Nodes() const {
  std::vector<std::string> out;
  if (auto map = state_->Map())
    for (const auto& m : map->Masters()) out.push_back(m.Name());
  return out;
}

std::string RedisClusterClient::NodeFor(std::string_view key) const {
  auto map = state_->Map();
  const RedisNodeAddress* node = map ? map->NodeFor(RedisKeySlot(key)) : nullptr;
  return node ? node->Name() : std::string();
}

asio::awaitable<Result<RedisReply>> RedisClusterClient::ExecuteOn(const std::string& node,
                                                                  std::vector<std::string> args) {
  auto address = ParseRedisNodeAddress(node);
  if (!address) co_return Fail(Error::InvalidArgument("redis cluster: not a node: " + node));
  if (state_->stopped.load()) co_return Fail(ShutDown());
  auto r = co_await state_->ClientFor(*address)->Execute(std::move(args));
  if (!r) RefreshSoon();
  co_return r;
}

asio::awaitable<Result<void>> RedisClusterClient::WaitConnected(std::chrono::milliseconds max) {
  auto& s = *state_;
  const auto failures_before = s.refresh_failures.load();
  const auto deadline = Clock::now() + max;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    if (s.stopped.load()) co_return Fail(ShutDown());
    if (auto map = s.Map()) {
      const auto& masters = map->Masters();
      if (std::all_of(masters.begin(), masters.end(), [&s](const auto& m) { return s.ClientFor(m)->Connected(); }))
        co_return Result<void>{};
    } else if (s.refresh_failures.load() != failures_before) {
      auto last = LastError();
      co_return Fail(last ? *last : RedisError(kRedisUnavailable, "redis cluster: no slot map"));
    }
    if (Clock::now() >= deadline) {
      auto last = LastError();
      co_return Fail(RedisError(kRedisTimeout, fmt::format("redis cluster: not connected to every master within {} ms{}",
                                                           max.count(), last ? " (" + last->message + ")" : "")));
    }
    timer.expires_after(5ms);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

bool RedisClusterClient::Connected() const {
  auto map = state_->Map();
  if (!map) return false;
  return std::any_of(map->Masters().begin(), map->Masters().end(),
                     [this](const auto& m) { return state_->ClientFor(m)->Connected(); });
}

RedisClientStats RedisClusterClient::Stats() const {
  std::lock_guard lock(state_->mu);
  RedisClientStats out = state_->retired;
  for (const auto& [name, c] : state_->clients) AddCounters(out, c->Stats());
  out.redirects = state_->redirects.load();
  out.topology_refreshes = state_->refreshes.load();
  return out;
}

std::optional<Error> RedisClusterClient::LastError() const {
  std::lock_guard lock(state_->mu);
  if (state_->last_error && !state_->map) return state_->last_error;
  for (const auto& [name, c] : state_->clients)
    if (auto e = c->LastError(); e && !c->Connected()) return e;
  return state_->last_error;
}

const RedisOptions& RedisClusterClient::options() const { return state_->opts; }

}  // namespace iam::cache
