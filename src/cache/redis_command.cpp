#include "cache/redis_command.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <new>

namespace iam::cache {

std::string FormatCommand(std::span<const std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  char* target = nullptr;
  int len = redisFormatCommandArgv(&target, static_cast<int>(args.size()), argv.data(), argvlen.data());
  if (len < 0 || target == nullptr) throw std::bad_alloc();
  std::unique_ptr<char, void (*)(char*)> owned(target, redisFreeCommand);
  return std::string(target, static_cast<std::size_t>(len));
}

std::string FormatCommand(const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return FormatCommand(std::span<const std::string_view>(views));
}

}  // namespace iam::cache
