// PostgresServer: a private PostgreSQL server child for tests that stop, crash or restart the
// database: initdb into its own temporary directory (trust auth, user `postgres`, fsync off), then
// `postgres` on a free loopback port. As root the server runs as the `postgres` user (it refuses
// root), the way scripts/with-services.sh does it. The destructor shuts the server down at once
// and removes the directory; should the test process die, the server gets SIGQUIT (immediate
// shutdown) from the kernel (tied to the thread that called Start/Restart: call them from one that
// outlives the server, e.g. the test's). Not thread-safe; one per test.
#pragma once

#include <sys/types.h>

#include <string>

namespace iam::test {

class PostgresServer {
 public:
  // True when initdb and postgres are installed (/usr/lib/postgresql/*/bin) and, as root, the
  // `postgres` user exists.
  static bool Available();

  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // initdb, then starts the server and waits (up to 30 s) until it accepts connections. False
  // with error() when it did not.
  bool Start();
  // A clean "fast" shutdown (SIGINT: sessions are terminated, then a checkpoint); waits for the
  // exit. The port stays reserved for Restart().
  bool Stop();
  // An immediate shutdown (SIGQUIT: no checkpoint, crash recovery on the next start).
  bool Crash();
  // Starts again on the same port and data directory; waits until it accepts connections.
  bool Restart();
  bool Running() const { return pid_ > 0; }

  int port() const { return port_; }
  const std::string& error() const { return error_; }
  // postgresql://postgres@127.0.0.1:PORT/DB
  std::string url(const std::string& database = "postgres") const;
  // The last lines of the server's log, for failure messages.
  std::string LogTail(int lines = 20) const;

 private:
  bool InitDb();
  bool Spawn();
  bool WaitUntilReady();
  bool Signal(int signo, int wait_seconds);

  std::string bin_dir_;
  std::string dir_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace iam::test

// Skips the test (or fails it when services are required) if the PostgreSQL server is not installed.
#define IAM_REQUIRE_POSTGRES_SERVER_BINARY()                                                   \
  do {                                                                                         \
    if (!::iam::test::PostgresServer::Available()) {                                           \
      if (::iam::test::ServicesRequired()) FAIL() << "the PostgreSQL server (initdb) is missing"; \
      GTEST_SKIP() << "the PostgreSQL server (initdb) is not installed";                       \
    }                                                                                          \
  } while (0)
