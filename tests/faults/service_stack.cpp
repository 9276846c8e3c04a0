#include "faults/service_stack.hpp"

#include <filesystem>

namespace iam::test {

ServiceStack::ServiceStack() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "iam-faults.XXXXXX").string();
  if (::mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
}

ServiceStack::~ServiceStack() {
  services_.clear();  // the services before the servers they use
  db_.reset();
  redis_.reset();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

bool ServiceStack::Start(int instances, const std::vector<std::string>& extra_vars,
                         const std::vector<std::vector<std::string>>& instance_vars) {
  if (dir_.empty()) {
    error_ = "cannot create a temporary directory";
    return false;
  }
  if (!postgres_.Start()) {
    error_ = "postgres: " + postgres_.error();
    return false;
  }
  redis_ = std::make_unique<RedisServer>();
  if (!redis_->Start()) {
    error_ = "redis: " + redis_->error();
    return false;
  }
  std::vector<std::string> vars = {"DATABASE_URL=" + postgres_.url(), "REDIS_URL=" + redis_->url(),
                                   "CACHE_PREFIX=iam-faults"};
  vars.insert(vars.end(), extra_vars.begin(), extra_vars.end());
  auto migrated = RunIam(dir_, vars, {"migrate"});
  if (migrated.status != 0) {
    error_ = "iam migrate: " + migrated.output;
    return false;
  }
  for (int i = 0; i < instances; ++i) {
    std::vector<std::string> own = vars;
    if (static_cast<std::size_t>(i) < instance_vars.size())
      own.insert(own.end(), instance_vars[static_cast<std::size_t>(i)].begin(), instance_vars[static_cast<std::size_t>(i)].end());
    services_.push_back(std::make_unique<IamService>(dir_, std::move(own)));
    if (!services_.back()->Start()) {
      error_ = "iam serve: " + services_.back()->error();
      return false;
    }
  }
  auto db = store::OpenDatabase({.url = postgres_.url(), .pool_size = 2});
  if (!db) {
    error_ = "direct connection: " + db.error().message;
    return false;
  }
  db_ = std::move(*db);
  return true;
}

std::string ServiceStack::Diagnostics() const {
  std::string out = "--- postgres log ---\n" + postgres_.LogTail();
  for (const auto& s : services_) out += "--- iam serve :" + std::to_string(s->port()) + " ---\n" + s->LogTail();
  return out;
}

}  // namespace iam::test
