// FormatCommand: encodes one command (name and arguments) as a RESP2 array of bulk strings, the
// form Redis expects on the wire; binary-safe (arguments may hold \0, \r\n). Pure function,
// thread-safe; throws std::bad_alloc only when memory runs out.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace iam::cache {

std::string FormatCommand(std::span<const std::string_view> args);
std::string FormatCommand(const std::vector<std::string>& args);

}  // namespace iam::cache
