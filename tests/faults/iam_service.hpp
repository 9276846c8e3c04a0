// IamService: the real `iam` binary (IAM_BINARY) run as `iam serve` in a child process on a fixed
// loopback port, for suites that kill and restart the service itself. Its configuration is the
// environment given (DATABASE_URL, REDIS_URL, ...) over a clean base: fixed JWT_SECRET (so tokens
// survive restarts and are shared by instances), HOST=127.0.0.1, LOG_LEVEL=warn; stderr goes to
// `<log_dir>/iam-<port>.log`. The kernel SIGKILLs the child should the test process die (tied to
// the thread that called Start: use one that outlives it). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "support/redis_server.hpp"  // ShellResult

namespace iam::test {

// A JWT secret every instance of a test shares.
inline constexpr const char* kTestJwtSecret = "fault-suite-secret-0123456789-0123456789-abcdef";

// The environment of an `iam` child: `vars` ("NAME=VALUE") over the process's own environment
// with IAM's configuration variables removed, plus JWT_SECRET and LOG_LEVEL defaults.
std::vector<std::string> IamEnvironment(const std::vector<std::string>& vars);

// Runs `iam ARGS...` to completion (migrate, seed, ...) in `dir` with IamEnvironment(vars).
ShellResult RunIam(const std::string& dir, const std::vector<std::string>& vars, const std::vector<std::string>& args);

class IamService {
 public:
  IamService(std::string log_dir, std::vector<std::string> vars);
  ~IamService();  // Kill()
  IamService(const IamService&) = delete;
  IamService& operator=(const IamService&) = delete;

  // Picks a free port (first time only), starts `iam serve` and waits (up to 60 s) until
  // GET /health answers 200. False with error() when it did not.
  bool Start();
  // SIGKILL: in-flight requests die with the process, as in a crash.
  void Kill();
  // SIGTERM and wait for the exit (the service drains in-flight requests first).
  bool Stop();
  bool Running() const { return pid_ > 0; }

  int port() const { return port_; }
  const std::string& error() const { return error_; }
  std::string LogTail(int lines = 20) const;

 private:
  bool Spawn();
  bool WaitHealthy();

  std::string log_dir_;
  std::vector<std::string> vars_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace iam::test
