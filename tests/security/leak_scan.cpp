#include "security/leak_scan.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace iam::security {
namespace {

// SQL as our statements write it (quoted identifiers: the injection payloads of the suites never
// quote one, so these cannot be an echo).
constexpr std::string_view kSqlText[] = {"FROM \"", "INTO \"", "UPDATE \"", "JOIN \"", "WHERE \"", "RETURNING \"",
                                         "ON CONFLICT", "SELECT \"", "SET \""};
// The wording of SQLite and libpq errors: never for a client; a log line may carry it (the store
// logs a failed statement's primary message, which names a constraint but holds no values).
constexpr std::string_view kDatabaseErrorText[] = {
    "SQLITE_", "sqlite3_", "constraint failed", "SQL logic error", "syntax error at", "near \"", "no such table",
    "no such column", "datatype mismatch", "violates", "duplicate key value", "ERROR:  ", "invalid input syntax",
    "unterminated quoted", "current transaction is aborted", "Key ("};
// Stack traces and what a crashing C++ program prints.
constexpr std::string_view kStackText[] = {"terminate called", "what():", "Backtrace", "stack trace", "#0 0x",
                                           "#1 0x", "Segmentation fault", "AddressSanitizer", "runtime error:"};
// Password hashes (argon2id, bcrypt).
constexpr std::string_view kHashText[] = {"$argon2", "$2b$", "$2a$", "$2y$"};
// Values a failed statement was given (libpq's DETAIL line): never, anywhere.
constexpr std::string_view kValueText[] = {"DETAIL:", ")=("};
// Internals a client has no business seeing.
constexpr std::string_view kResponseOnly[] = {".cpp:", ".hpp:", "std::", "boost::", "/usr/include"};

}  // namespace

std::vector<std::string> FindLeaks(std::string_view text, const std::vector<std::string>& secrets, bool response) {
  std::vector<std::string> found;
  for (const auto& s : secrets)
    if (!s.empty() && text.find(s) != std::string_view::npos) found.push_back("a secret (" + s.substr(0, 4) + "…)");
  auto scan = [&](const auto& list, std::string_view kind) {
    for (auto marker : list)
      if (text.find(marker) != std::string_view::npos) found.push_back(std::string(kind) + " \"" + std::string(marker) + "\"");
  };
  scan(kSqlText, "SQL text");
  scan(kValueText, "statement values");
  scan(kStackText, "stack-trace text");
  scan(kHashText, "a password hash");
  if (response) {
    scan(kDatabaseErrorText, "database error text");
    scan(kResponseOnly, "internals");
  }
  return found;
}

class LogCapture::Sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string Take() {
    std::lock_guard lock(mutex_);
    return std::exchange(text_, {});
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto level = spdlog::level::to_string_view(msg.level);
    text_.append(level.data(), level.size());
    text_ += ' ';
    text_.append(msg.payload.data(), msg.payload.size());
    text_ += '\n';
  }
  void flush_() override {}

 private:
  std::string text_;
};

LogCapture::LogCapture() : sink_(std::make_shared<Sink>()) {
  auto logger = spdlog::default_logger();
  previous_level_ = static_cast<int>(logger->level());
  logger->sinks().push_back(sink_);
  logger->set_level(spdlog::level::debug);
}

LogCapture::~LogCapture() {
  auto logger = spdlog::default_logger();
  auto& sinks = logger->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  logger->set_level(static_cast<spdlog::level::level_enum>(previous_level_));
}

std::string LogCapture::Take() { return sink_->Take(); }

}  // namespace iam::security
