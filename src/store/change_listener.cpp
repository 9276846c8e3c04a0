#include "store/change_listener.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <memory>
#include <random>
#include <string_view>

#include "store/detail/libpq_support.hpp"
#include "store/change_notifications.hpp"

namespace iam::store {
using detail::OneLine;
using detail::PasswordsIn;
using detail::PgConnPtr;
using detail::PgResultPtr;
using detail::Redact;

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kApplicationName = "iam-change-listener";

struct PgNotifyDeleter {
  void operator()(PGnotify* n) const noexcept { PQfreemem(n); }
};
using PgNotifyPtr = std::unique_ptr<PGnotify, PgNotifyDeleter>;

// "host:port/dbname" for the logs, from the URL (never its password).
std::string EndpointOf(const std::string& url) {
  std::string host = "localhost", port = "5432", db;
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  PQfreemem(err);
  for (auto* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    if (std::strcmp(o->keyword, "host") == 0) host = o->val;
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) db = o->val;
  }
  PQconninfoFree(options);
  return db.empty() ? fmt::format("{}:{}", host, port) : fmt::format("{}:{}/{}", host, port, db);
}

std::string ErrorText(PGconn* conn) { return conn != nullptr ? OneLine(PQerrorMessage(conn)) : "out of memory"; }

}  // namespace

// One connection attempt and, when it succeeds, the session. Not movable: libpq keeps a pointer to
// it for the notice processor.
struct ChangeListener::Session {
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::string error;        // why the attempt failed or the connection was lost
  std::string last_notice;  // e.g. the FATAL the server sends before closing an idle session
  // Heartbeats sent on this session and not back yet: (sequence number, time sent), oldest first.
  std::deque<std::pair<std::uint64_t, Clock::time_point>> heartbeats;
  std::uint64_t next_heartbeat_seq = 1;
  Clock::time_point next_heartbeat_at{};
  bool query_in_flight = false;  // a heartbeat's NOTIFY whose result is not read yet
  PgConnPtr conn;           // last: closed before the strings its notice processor writes go away

  static void OnNotice(void* arg, const char* message) {
    auto* self = static_cast<Session*>(arg);
    self->last_notice = OneLine(message);
    spdlog::debug("change listener: server says: {}", self->last_notice);
  }
};

namespace {

// Waits until `fd` reports `events` (returned, with any error bits) or `wake_fd` is readable or
// `timeout` passes (0 returned for both).
short PollOnce(int fd, short events, int wake_fd, milliseconds timeout) {
  pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
  const int n = poll(fds, wake_fd >= 0 ? 2 : 1, static_cast<int>(std::max<std::int64_t>(0, timeout.count())));
  if (n <= 0) return 0;  // timeout, or EINTR: callers loop
  return fds[0].revents;
}

milliseconds Until(Clock::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - Clock::now()) + milliseconds(1);
}

}  // namespace

ChangeListener::ChangeListener(std::string url, OnChange on_change, OnResync on_resync, ChangeListenerOptions options)
    : ChangeListener(std::move(url), Callbacks{std::move(on_change), std::move(on_resync), nullptr, nullptr},
                     options) {}

ChangeListener::ChangeListener(std::string url, Callbacks callbacks, ChangeListenerOptions options)
    : conninfo_(std::move(url)),
      secrets_(PasswordsIn(conninfo_)),
      on_change_(std::move(callbacks.on_change)),
      on_resync_(std::move(callbacks.on_resync)),
      on_caught_up_(std::move(callbacks.on_caught_up)),
      on_auth_change_(std::move(callbacks.on_auth_change)),
      options_(options),
      heartbeat_channel_(fmt::format("iam_hb_{}_{:08x}", ::getpid(), std::random_device{}())) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    // Still correct: Stop() is then noticed at the next poll_interval instead of at once.
    spdlog::warn("change listener: eventfd failed ({}); Stop() will wait up to {} ms", std::strerror(errno),
                 options_.poll_interval.count());
  }
  thread_ = std::thread([this] { Run(); });
}

ChangeListener::~ChangeListener() {
  Stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ChangeListener::Stop() {
  std::lock_guard lock(stop_mu_);
  stopping_.store(true);
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);  // stays readable from now on
  }
  {
    std::lock_guard cv_lock(mu_);
    connected_cv_.notify_all();  // WaitConnected() returns early
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool ChangeListener::WaitConnected(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  connected_cv_.wait_for(lock, timeout, [&] { return connected_.load() || stopping_.load(); });
  return connected_.load();
}

ChangeListenerStats ChangeListener::Stats() const {
  return ChangeListenerStats{.notifications = notifications_.load(),
                             .changes = changes_.load(),
                             .resyncs = resyncs_.load(),
                             .malformed = malformed_.load(),
                             .reconnects = reconnects_.load(),
                             .failed_attempts = failed_attempts_.load(),
                             .heartbeats_sent = heartbeats_sent_.load(),
                             .heartbeats_received = heartbeats_received_.load(),
                             .auth_changes = auth_changes_.load(),
                             .connected = connected_.load()};
}

void ChangeListener::SetConnected(bool connected) {
  std::lock_guard lock(mu_);
  connected_.store(connected);
  connected_cv_.notify_all();
}

bool ChangeListener::SleepFor(std::chrono::milliseconds delay) {
  const auto deadline = Clock::now() + delay;
  while (!stopping_.load() && Clock::now() < deadline) {
    pollfd wake{wake_fd_, POLLIN, 0};
    const auto step = std::min(Until(deadline), options_.poll_interval);
    poll(&wake, wake_fd_ >= 0 ? 1 : 0, static_cast<int>(step.count()));
  }
  return !stopping_.load();
}

void ChangeListener::Run() {
  const std::string endpoint = EndpointOf(conninfo_);
  bool ever_connected = false;
  bool missed = false;  // a period in which notifications may have been lost
  int failures_in_row = 0;
  Clock::time_point down_since = Clock::now();
  milliseconds delay = options_.initial_backoff;

  while (!stopping_.load()) {
    Session session;
    if (!Listen(session)) {
      if (stopping_.load()) break;
      ++failed_attempts_;
      const std::string why = Redact(session.error, secrets_);
      if (failures_in_row++ == 0) {
        spdlog::warn("change listener: cannot listen on {}: {}; retrying with back-off up to {} ms", endpoint, why,
                     options_.max_backoff.count());
      } else {
        spdlog::debug("change listener: attempt {} on {} failed: {}", failures_in_row, endpoint, why);
      }
      missed = true;
      if (!SleepFor(delay)) break;
      delay = std::min(delay * 2, options_.max_backoff);
      continue;
    }

    if (ever_connected) ++reconnects_;
    if (missed) {
      const auto down_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - down_since).count();
      if (ever_connected) {
        spdlog::info("change listener: listening on {} again after {} ms ({} failed attempt(s)); invalidating everything",
                     endpoint, down_ms, failures_in_row);
      } else {
        spdlog::info("change listener: listening on {} after {} ms ({} failed attempt(s)); invalidating everything",
                     endpoint, down_ms, failures_in_row);
      }
      ++resyncs_;
      if (on_resync_) {
        try {
          on_resync_();
        } catch (const std::exception& e) {
          spdlog::error("change listener: on_resync threw: {}", e.what());
        } catch (...) {
          spdlog::error("change listener: on_resync threw");
        }
      }
    } else {
      spdlog::info("change listener: listening on {} (channel {})", endpoint, kChangeChannel);
    }
    ever_connected = true;
    missed = false;
    failures_in_row = 0;
    delay = options_.initial_backoff;
    SetConnected(true);

    Pump(session);

    SetConnected(false);
    if (stopping_.load()) break;
    missed = true;
    down_since = Clock::now();
    std::string why = session.error;
    if (!session.last_notice.empty()) why += " (" + session.last_notice + ")";
    spdlog::warn("change listener: connection to {} lost: {}; reconnecting", endpoint, Redact(why, secrets_));
    session.conn.reset();
    if (!SleepFor(delay)) break;
    delay = std::min(delay * 2, options_.max_backoff);
  }
  SetConnected(false);
}

// Connects (without blocking Stop()) and runs LISTEN. False, with session.error set, on failure or
// when stopping.
bool ChangeListener::Listen(Session& session) {
  const auto deadline = Clock::now() + options_.connect_timeout;
  // Keywords are applied in order: the keepalive defaults come before the URL (dbname, expanded) so
  // that it may override them; application_name comes after, so the listener is always recognisable.
  const char* keywords[] = {"keepalives",          "keepalives_idle", "keepalives_interval", "keepalives_count",
                            "dbname",              "application_name", nullptr};
  const char* values[] = {"1", "30", "10", "3", conninfo_.c_str(), kApplicationName, nullptr};
  session.conn.reset(PQconnectStartParams(keywords, values, /*expand_dbname=*/1));
  PGconn* conn = session.conn.get();
  if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) {
    session.error = ErrorText(conn);
    return false;
  }
  PQsetNoticeProcessor(conn, &Session::OnNotice, &session);

  // The connection handshake (PQconnectPoll; libpq's connect_timeout does not apply to it).
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) {
      session.error = ErrorText(conn);
      return false;
    }
    if (stopping_.load()) return false;
    if (Clock::now() >= deadline) {
      session.error = fmt::format("no connection within {} ms", options_.connect_timeout.count());
      return false;
    }
    const short want = status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    const short got = PollOnce(PQsocket(conn), want, wake_fd_, std::min(Until(deadline), options_.poll_interval));
    if (got != 0) status = PQconnectPoll(conn);
  }

  // LISTEN, sent asynchronously for the same reason. Notifications that arrive with its answer stay
  // queued in libpq and are handled by Pump().
  std::string listen = fmt::format("LISTEN {}", kChangeChannel);
  if (options_.heartbeat_interval.count() > 0) listen += fmt::format("; LISTEN {}", heartbeat_channel_);
  if (PQsendQuery(conn, listen.c_str()) == 0) {
    session.error = ErrorText(conn);
    return false;
  }
  bool ok = true;
  for (;;) {
    while (PQisBusy(conn) == 0) {
      PgResultPtr res(PQgetResult(conn));
      if (!res) {
        if (!ok) return false;
        return PQstatus(conn) == CONNECTION_OK;
      }
      if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
        const char* msg = PQresultErrorMessage(res.get());
        session.error = OneLine(msg != nullptr && *msg != '\0' ? msg : "LISTEN failed");
        ok = false;
      }
    }
    if (stopping_.load()) return false;
    if (Clock::now() >= deadline) {
      session.error = fmt::format("LISTEN not answered within {} ms", options_.connect_timeout.count());
      return false;
    }
    const short got = PollOnce(PQsocket(conn), POLLIN, wake_fd_, std::min(Until(deadline), options_.poll_interval));
    if (got != 0 && PQconsumeInput(conn) == 0) {
      session.error = ErrorText(conn);
      return false;
    }
  }
}

// Handles notifications until the connection is lost (session.error set) or Stop(), and sends the
// heartbeats.
void ChangeListener::Pump(Session& session) {
  PGconn* conn = session.conn.get();
  const bool heartbeats = options_.heartbeat_interval.count() > 0;
  session.next_heartbeat_at = Clock::now();
  for (;;) {
    // The result of the last heartbeat's NOTIFY, once it is all there.
    while (session.query_in_flight && PQisBusy(conn) == 0) {
      PgResultPtr res(PQgetResult(conn));
      if (!res) session.query_in_flight = false;
    }
    while (PgNotifyPtr n{PQnotifies(conn)}) {
      if (std::strcmp(n->relname, kChangeChannel) == 0) {
        Dispatch(n->extra);
      } else if (heartbeats && n->relname == heartbeat_channel_) {
        Heartbeat(session, n->extra);
      }
    }
    if (stopping_.load()) return;
    milliseconds wait = options_.poll_interval;
    if (heartbeats) {
      // A heartbeat is skipped while the previous NOTIFY is unanswered: a slow server only delays
      // the next confirmation.
      if (!session.query_in_flight && Clock::now() >= session.next_heartbeat_at) {
        if (!SendHeartbeat(session)) return;
        session.next_heartbeat_at = Clock::now() + options_.heartbeat_interval;
      }
      wait = std::min(wait, std::max(milliseconds(1), Until(session.next_heartbeat_at)));
    }
    const short got = PollOnce(PQsocket(conn), POLLIN, wake_fd_, wait);
    if (got == 0) continue;
    // Readable (a notification, the NOTIFY's answer, or the server's goodbye followed by EOF) or
    // an error on the socket: either way libpq reads what there is and reports a dead connection.
    if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
      session.error = ErrorText(conn);
      if (session.error.empty()) session.error = "connection closed";
      return;
    }
  }
}

// NOTIFY on this listener's own channel, sent without waiting for the answer. The time is taken
// before sending, so it is earlier than the NOTIFY's commit: "every change committed before it".
bool ChangeListener::SendHeartbeat(Session& session) {
  PGconn* conn = session.conn.get();
  const std::uint64_t seq = session.next_heartbeat_seq++;
  const Clock::time_point sent = Clock::now();
  if (PQsendQuery(conn, fmt::format("NOTIFY {}, '{}'", heartbeat_channel_, seq).c_str()) == 0) {
    session.error = ErrorText(conn);
    return false;
  }
  session.query_in_flight = true;
  // Bounded: a server that never answers is noticed as a lost connection long before this grows.
  if (session.heartbeats.size() >= 1024) session.heartbeats.pop_front();
  session.heartbeats.emplace_back(seq, sent);
  ++heartbeats_sent_;
  return true;
}

void ChangeListener::Heartbeat(Session& session, const char* payload) {
  std::uint64_t seq = 0;
  const std::string_view text = payload != nullptr ? payload : "";
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (ec != std::errc() || end != text.data() + text.size()) return;
  while (!session.heartbeats.empty() && session.heartbeats.front().first < seq) session.heartbeats.pop_front();
  if (session.heartbeats.empty() || session.heartbeats.front().first != seq) return;  // not of this session
  const Clock::time_point covered = session.heartbeats.front().second;
  session.heartbeats.pop_front();
  ++heartbeats_received_;
  if (!on_caught_up_) return;
  try {
    on_caught_up_(covered);
  } catch (const std::exception& e) {
    spdlog::error("change listener: on_caught_up threw: {}", e.what());
  } catch (...) {
    spdlog::error("change listener: on_caught_up threw");
  }
}

void ChangeListener::Dispatch(const char* payload) {
  ++notifications_;
  const std::string_view text = payload != nullptr ? payload : "";
  try {
    if (text == kChangeResyncPayload) {
      ++resyncs_;
      if (on_resync_) on_resync_();
      return;
    }
    if (text == kChangeAuthPayload) {
      ++auth_changes_;
      if (on_auth_change_) on_auth_change_();
      return;
    }
    std::int64_t empresa = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), empresa);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      ++malformed_;
      // The payload is bounded by the server (8000 bytes); show only its beginning.
      spdlog::debug("change listener: ignoring notification with malformed payload \"{}\"",
                    OneLine(text.substr(0, 64)));
      return;
    }
    ++changes_;
    if (on_change_) on_change_(empresa);
  } catch (const std::exception& e) {
    spdlog::error("change listener: callback threw: {}", e.what());
  } catch (...) {
    spdlog::error("change listener: callback threw");
  }
}

}  // namespace iam::store
