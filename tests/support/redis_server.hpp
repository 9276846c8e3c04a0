// RedisServer: a private `redis-server` child for tests that kill, restart, pause or reconfigure
// Redis: a free loopback port, no persistence, files in its own temporary directory (removed, and
// the process killed, by the destructor); optionally TLS-only with a CA and certificate made by the
// `openssl` CLI. Not thread-safe; one per test.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "support/test_env.hpp"

namespace iam::test {

struct RedisServerOptions {
  std::vector<std::string> args;  // extra redis-server arguments, e.g. {"--requirepass", "pw"}
  bool tls = false;               // TLS port only (the plain port is disabled)
};

class RedisServer {
 public:
  // True when redis-server is on PATH (and, with tls, redis-server supports TLS and openssl is there).
  static bool Available(bool tls = false);

  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server and waits (up to 10 s) until it answers. False with error() when it did not.
  bool Start();
  // SIGKILL: connections drop at once, as in a crash. The port stays reserved for Restart().
  bool Stop();
  // Starts again on the same port with the same arguments.
  bool Restart();
  // SIGSTOP / SIGCONT: the kernel still accepts connections, but nothing answers.
  bool Pause();
  bool Resume();

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& error() const { return error_; }
  std::string ca_file() const { return dir_ + "/ca.crt"; }  // tls only
  // redis://127.0.0.1:PORT/DB or rediss://… for a TLS server.
  std::string url(int db = 0) const;

  // Runs `redis-cli -p PORT [tls flags] ARGS…` and returns its output (stdout and stderr).
  std::string Cli(const std::vector<std::string>& args) const;

 private:
  bool Spawn();
  bool WaitUntilAnswering();
  bool MakeCertificates();

  RedisServerOptions options_;
  std::string dir_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = 0;
};

// Runs `sh -c COMMAND` and returns its output (stdout and stderr) and exit status.
struct ShellResult {
  int status = -1;
  std::string output;
};
ShellResult RunShell(const std::string& command);
std::string ShellQuote(const std::string& s);
// A TCP port in 20000-31999 that nothing on 127.0.0.1 is bound to right now (0 when none found).
int PickFreeLoopbackPort();

}  // namespace iam::test

// Skips the test (or fails it when services are required) if redis-server is not installed.
#define IAM_REQUIRE_REDIS_SERVER_BINARY(tls)                                                         \
  do {                                                                                               \
    if (!::iam::test::RedisServer::Available(tls)) {                                                 \
      if (::iam::test::ServicesRequired()) FAIL() << "redis-server (with TLS: " #tls ") is missing"; \
      GTEST_SKIP() << "redis-server (with TLS: " #tls ") is not installed";                          \
    }                                                                                                \
  } while (0)
