#include "support/postgres_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "support/redis_server.hpp"  // RunShell, ShellQuote, PickFreeLoopbackPort

namespace iam::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/<version>/bin holding initdb and postgres, or "".
std::string FindBinDir() {
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "postgres")) continue;
    int version = 0;
    try {
      version = std::stoi(entry.path().filename().string());
    } catch (...) {
      continue;
    }
    found.emplace_back(version, bin.string());
  }
  if (found.empty()) return "";
  return std::max_element(found.begin(), found.end())->second;
}

bool Root() { return ::geteuid() == 0; }

// The postgres user's ids (root only).
bool PostgresUser(uid_t& uid, gid_t& gid) {
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) return false;
  uid = pw->pw_uid;
  gid = pw->pw_gid;
  return true;
}

// Runs `cd DIR && [runuser -u postgres --] env LC_ALL=C.UTF-8 COMMAND`.
ShellResult RunAsPostgres(const std::string& dir, const std::string& command) {
  std::string cmd = "cd " + ShellQuote(dir) + " && ";
  if (Root()) cmd += "runuser -u postgres -- ";
  return RunShell(cmd + "env LC_ALL=C.UTF-8 LANG=C.UTF-8 " + command);
}

}  // namespace

bool PostgresServer::Available() {
  static const bool available = [] {
    if (FindBinDir().empty()) return false;
    uid_t uid;
    gid_t gid;
    return !Root() || PostgresUser(uid, gid);
  }();
  return available;
}

PostgresServer::PostgresServer() : bin_dir_(FindBinDir()) {
  // Under /tmp even when TMPDIR is elsewhere: as root, the postgres user must reach the directory.
  std::string tmpl = "/tmp/iam-pg-test.XXXXXX";
  if (::mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
}

PostgresServer::~PostgresServer() {
  if (pid_ > 0) Signal(SIGQUIT, 10);
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::LogTail(int lines) const {
  return RunShell("tail -n " + std::to_string(lines) + " " + ShellQuote(dir_ + "/pg.log")).output;
}

bool PostgresServer::InitDb() {
  if (Root()) {
    uid_t uid;
    gid_t gid;
    if (!PostgresUser(uid, gid) || ::chown(dir_.c_str(), uid, gid) != 0) {
      error_ = "cannot hand the directory to the postgres user";
      return false;
    }
  }
  auto r = RunAsPostgres(dir_, ShellQuote(bin_dir_ + "/initdb") + " -D " + ShellQuote(dir_ + "/pg") +
                                   " -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync");
  if (r.status != 0) {
    error_ = "initdb failed: " + r.output;
    return false;
  }
  return true;
}

bool PostgresServer::Start() {
  if (dir_.empty() || bin_dir_.empty()) {
    error_ = dir_.empty() ? "cannot create a temporary directory" : "PostgreSQL server not installed";
    return false;
  }
  if (!InitDb()) return false;
  for (int attempt = 0; attempt < 5; ++attempt) {  // another process may take the port first
    port_ = PickFreeLoopbackPort();
    if (port_ == 0) {
      error_ = "no free port";
      return false;
    }
    if (Spawn() && WaitUntilReady()) return true;
    if (pid_ > 0) Signal(SIGQUIT, 10);
  }
  return false;
}

bool PostgresServer::Restart() {
  if (pid_ > 0) Stop();
  for (int attempt = 0; attempt < 20; ++attempt) {  // the port may take a moment to be free again
    if (Spawn() && WaitUntilReady()) return true;
    if (pid_ > 0) Signal(SIGQUIT, 10);
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

bool PostgresServer::Spawn() {
  // Everything the child needs is prepared here: between fork and exec only async-signal-safe
  // calls are allowed (other threads of the test may hold locks).
  std::vector<std::string> args = {bin_dir_ + "/postgres",
                                   "-D",
                                   dir_ + "/pg",
                                   "-p",
                                   std::to_string(port_),
                                   "-k",
                                   dir_,
                                   "-c",
                                   "listen_addresses=127.0.0.1",
                                   "-c",
                                   "fsync=off"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = {"LC_ALL=C.UTF-8", "LANG=C.UTF-8", "PATH=/usr/bin:/bin"};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string log = dir_ + "/pg.log";
  uid_t uid = 0;
  gid_t gid = 0;
  const bool switch_user = Root();
  if (switch_user && !PostgresUser(uid, gid)) {
    error_ = "no postgres user";
    return false;
  }
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) ::_exit(126);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    if (switch_user && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(126);
    // After the uid change, which would clear it: an orphaned server shuts down at once.
    ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (::getppid() != parent) ::_exit(126);
    if (::chdir(dir_.c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  pid_ = pid;
  return true;
}

bool PostgresServer::WaitUntilReady() {
  // Ready on our own socket directory first: proves the server answering on the port is ours.
  const std::string local = "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=postgres";
  const std::string tcp = "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
  for (int i = 0; i < 600; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      error_ = "postgres exited: " + LogTail(5);
      return false;
    }
    if (PQping(local.c_str()) == PQPING_OK && PQping(tcp.c_str()) == PQPING_OK) return true;
    std::this_thread::sleep_for(50ms);
  }
  error_ = "postgres did not accept connections within 30 s: " + LogTail(5);
  return false;
}

// Sends `signo` and waits up to `wait_seconds` for the exit, then SIGKILLs (the postmaster's
// children then exit on their own when they notice their parent is gone).
bool PostgresServer::Signal(int signo, int wait_seconds) {
  if (pid_ <= 0) return false;
  ::kill(pid_, signo);
  for (int i = 0; i < wait_seconds * 20; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = 0;
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = 0;
  error_ = "postgres did not exit on signal " + std::to_string(signo);
  return false;
}

bool PostgresServer::Stop() { return Signal(SIGINT, 30); }
bool PostgresServer::Crash() { return Signal(SIGQUIT, 10); }

}  // namespace iam::test
