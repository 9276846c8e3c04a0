// Leak scanning for the security suites: what must never appear in a response or a log line
// (a secret, SQL text or database error wording, a stack trace, a password hash), and a capture
// of everything the process logs through spdlog while a test runs.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace iam::security {

// A description of each forbidden thing found in `text`. `secrets` are matched literally (empty
// ones are ignored). Responses are held to more: no database error wording, source locations or
// C++ type names either (a log line may name a violated constraint or an exception type, for the
// operator; never a statement, its values or a secret).
std::vector<std::string> FindLeaks(std::string_view text, const std::vector<std::string>& secrets, bool response);

// Adds a capturing sink to spdlog's default logger for its lifetime and lowers the level to
// debug, so every line any level would write is seen. REQUIRES: no other thread logs while it is
// created or destroyed (make it before the server under test starts, drop it after it stopped).
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Everything logged since the last Take(), one line per message (level name first).
  std::string Take();

 private:
  class Sink;
  std::shared_ptr<Sink> sink_;
  int previous_level_;
};

}  // namespace iam::security
