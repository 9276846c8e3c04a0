// Gathers the configuration sources of a process and merges them: defaults < `.env` file <
// environment < command-line flags. Reads only the variables IAM knows (KnownVariables()).
#pragma once

#include <optional>
#include <string>

#include "app/config.hpp"

namespace iam::app {

struct ConfigSources {
  std::optional<std::string> env_file;  // explicit --env-file (must exist); else ./.env when present
  VarMap flags;                         // NAME -> value from command-line flags
};

Result<Config> LoadConfig(const ConfigSources& sources);

}  // namespace iam::app
