// ServedBinary: the real `iam` binary as a child process with a given environment, its stdout and
// stderr captured in a file, plus a raw HTTP client for it. For the suites that check what the
// production binary prints (logs) and how it behaves with real Redis / TLS settings.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace iam::security {

struct RawResponse {
  int status = 0;     // 0: no answer
  std::string text;   // status line, headers and body as received
  std::string body;
};

class ServedBinary {
 public:
  // Runs `iam ARGS…` with exactly `env` (plus PATH) in a temporary directory.
  ServedBinary(std::vector<std::string> env, std::vector<std::string> args);
  ~ServedBinary();
  ServedBinary(const ServedBinary&) = delete;
  ServedBinary& operator=(const ServedBinary&) = delete;

  // Waits until GET /health answers on `port` (true) or the process exited / 20 s passed.
  bool WaitServing(unsigned short port);
  // SIGTERM, then waits (SIGKILL after 15 s). Returns the exit code, -1 when killed.
  int Stop();
  // Waits for the process to exit by itself (up to 20 s); its exit code, or -1.
  int Wait();
  // Everything the process printed so far.
  std::string Output() const;

 private:
  pid_t pid_ = 0;
  std::string dir_, output_file_;
};

// Sends `raw` to 127.0.0.1:port, half-closes, returns what came back (parsed when it is HTTP).
RawResponse SendRaw(unsigned short port, const std::string& raw);
RawResponse Http(unsigned short port, const std::string& method, const std::string& target,
                 const std::string& body = {}, const std::vector<std::string>& headers = {});
unsigned short FreePort();

}  // namespace iam::security
