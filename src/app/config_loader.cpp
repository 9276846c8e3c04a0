#include "app/config_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace iam::app {

Result<Config> LoadConfig(const ConfigSources& sources) {
  VarMap merged;
  std::string path = sources.env_file.value_or(".env");
  if (sources.env_file || std::filesystem::exists(path)) {
    std::ifstream in(path);
    if (!in) return Fail(Error::InvalidArgument("cannot read env file " + path, "CONFIG_ERROR"));
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = ParseDotEnv(text.str());
    if (!parsed) return Fail(parsed.error());
    for (auto& [k, v] : *parsed) merged[k] = v;
  }
  const auto& known = KnownVariables();
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(entry.substr(0, eq));
    if (std::find(known.begin(), known.end(), name) != known.end()) merged[name] = std::string(entry.substr(eq + 1));
  }
  for (const auto& [k, v] : sources.flags) merged[k] = v;
  auto config = ParseConfig(merged);
  if (!config) return config;
  FillGeneratedSecrets(*config);
  return config;
}

}  // namespace iam::app
