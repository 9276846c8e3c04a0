#include "faults/iam_service.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "app/config.hpp"
#include "faults/loopback_client.hpp"

extern char** environ;

namespace iam::test {
namespace {

using namespace std::chrono_literals;

std::string NameOf(const std::string& var) { return var.substr(0, var.find('=')); }

}  // namespace

std::vector<std::string> IamEnvironment(const std::vector<std::string>& vars) {
  const auto& known = app::KnownVariables();
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    if (std::find(known.begin(), known.end(), NameOf(entry)) == known.end()) env.push_back(std::move(entry));
  }
  std::vector<std::string> defaults = {std::string("JWT_SECRET=") + kTestJwtSecret, "LOG_LEVEL=warn",
                                       "HOST=127.0.0.1"};
  for (const auto& d : defaults) {
    const bool overridden = std::any_of(vars.begin(), vars.end(), [&](const auto& v) { return NameOf(v) == NameOf(d); });
    if (!overridden) env.push_back(d);
  }
  env.insert(env.end(), vars.begin(), vars.end());
  return env;
}

ShellResult RunIam(const std::string& dir, const std::vector<std::string>& vars, const std::vector<std::string>& args) {
  std::string cmd = "cd " + ShellQuote(dir) + " && env -i";
  for (const auto& v : IamEnvironment(vars)) cmd += " " + ShellQuote(v);
  cmd += " " + ShellQuote(IAM_BINARY);
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  return RunShell(cmd);
}

IamService::IamService(std::string log_dir, std::vector<std::string> vars)
    : log_dir_(std::move(log_dir)), vars_(std::move(vars)) {}

IamService::~IamService() { Kill(); }

std::string IamService::LogTail(int lines) const {
  return RunShell("tail -n " + std::to_string(lines) + " " + ShellQuote(log_dir_ + "/iam-" + std::to_string(port_) + ".log"))
      .output;
}

bool IamService::Start() {
  if (pid_ > 0) return true;
  if (port_ == 0) port_ = PickFreeLoopbackPort();
  if (port_ == 0) {
    error_ = "no free port";
    return false;
  }
  return Spawn() && WaitHealthy();
}

bool IamService::Spawn() {
  // Prepared before fork: the child may only make async-signal-safe calls.
  std::vector<std::string> vars = vars_;
  vars.push_back("PORT=" + std::to_string(port_));
  std::vector<std::string> env = IamEnvironment(vars);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string binary = IAM_BINARY, serve = "serve";
  char* argv[] = {binary.data(), serve.data(), nullptr};
  const std::string log = log_dir_ + "/iam-" + std::to_string(port_) + ".log";
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) ::_exit(126);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    if (::chdir(log_dir_.c_str()) != 0) ::_exit(126);  // no stray ./.env is read
    ::execve(argv[0], argv, envp.data());
    ::_exit(127);
  }
  pid_ = pid;
  return true;
}

bool IamService::WaitHealthy() {
  LoopbackClient client(port_, 1s);
  for (int i = 0; i < 1200; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      error_ = "iam serve exited: " + LogTail(10);
      return false;
    }
    if (client.Get("/health").status == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  error_ = "iam serve did not answer /health within 60 s: " + LogTail(10);
  Kill();
  return false;
}

void IamService::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = 0;
}

bool IamService::Stop() {
  if (pid_ <= 0) return false;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 600; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    std::this_thread::sleep_for(50ms);
  }
  Kill();
  return false;
}

}  // namespace iam::test
