#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

extern char** environ;

namespace iam::test {
namespace {

using namespace std::chrono_literals;

// A connected loopback TCP socket to `port`, or -1.
int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

bool PortFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

// Below Linux's ephemeral range (32768+), so that an outgoing connection never holds it, and away
// from the ports scripts/with-services.sh uses only by chance (it checks too).
int PickFreeLoopbackPort() {
  std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> dist(20000, 31999);
  for (int i = 0; i < 200; ++i) {
    int p = dist(rng);
    if (PortFree(p)) return p;
  }
  return 0;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

ShellResult RunShell(const std::string& command) {
  ShellResult r;
  std::string cmd = command + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool RedisServer::Available(bool tls) {
  static const bool plain = RunShell("redis-server --version").status == 0;
  if (!tls || !plain) return plain;
  // A build without TLS rejects tls-port; one with it gets as far as the missing certificate.
  static const bool with_tls = [] {
    auto r =
        RunShell("redis-server --port 0 --tls-port 1 --tls-cert-file /nonexistent/c --tls-key-file /nonexistent/k");
    bool supported =
        r.output.find("not supported") == std::string::npos && r.output.find("Bad directive") == std::string::npos;
    return supported && RunShell("openssl version").status == 0;
  }();
  return with_tls;
}

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "iam-redis-test.XXXXXX").string();
  if (::mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
}

RedisServer::~RedisServer() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string RedisServer::url(int db) const {
  return std::string(options_.tls ? "rediss" : "redis") + "://127.0.0.1:" + std::to_string(port_) + "/" +
         std::to_string(db);
}

bool RedisServer::Start() {
  if (dir_.empty()) {
    error_ = "cannot create a temporary directory";
    return false;
  }
  if (options_.tls && !MakeCertificates()) return false;
  for (int attempt = 0; attempt < 5; ++attempt) {  // another process may take the port first
    port_ = PickFreeLoopbackPort();
    if (port_ == 0) {
      error_ = "no free port";
      return false;
    }
    if (Spawn() && WaitUntilAnswering()) return true;
    Stop();
  }
  return false;
}

bool RedisServer::Restart() {
  Stop();
  for (int attempt = 0; attempt < 20; ++attempt) {  // the port may take a moment to be free again
    if (Spawn() && WaitUntilAnswering()) return true;
    Stop();
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

bool RedisServer::Spawn() {
  std::vector<std::string> args = {"redis-server", "--bind",    "127.0.0.1",        "--save", "",
                                   "--appendonly", "no",        "--daemonize",      "no",     "--dir",
                                   dir_,           "--logfile", dir_ + "/redis.log"};
  if (options_.tls) {
    for (const char* a : {"--port", "0", "--tls-port"}) args.emplace_back(a);
    args.push_back(std::to_string(port_));
    for (const std::string& a :
         {std::string("--tls-cert-file"), dir_ + "/server.crt", std::string("--tls-key-file"), dir_ + "/server.key",
          std::string("--tls-ca-cert-file"), ca_file(), std::string("--tls-auth-clients"), std::string("no")})
      args.push_back(a);
  } else {
    args.push_back("--port");
    args.push_back(std::to_string(port_));
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::string out = dir_ + "/redis.out";
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  int rc = posix_spawnp(&pid_, "redis-server", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = 0;
    error_ = std::string("cannot run redis-server: ") + std::strerror(rc);
    return false;
  }
  return true;
}

bool RedisServer::WaitUntilAnswering() {
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      error_ = "redis-server exited: " + RunShell("tail -n 5 " + ShellQuote(dir_ + "/redis.log")).output;
      return false;
    }
    if (options_.tls) {
      auto out = Cli({"PING"});
      if (out.find("PONG") != std::string::npos || out.find("NOAUTH") != std::string::npos) return true;
    } else if (int fd = ConnectLoopback(port_); fd >= 0) {
      char buf[64] = {};
      bool answered = ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6 && ::recv(fd, buf, sizeof buf, 0) > 0 &&
                      (buf[0] == '+' || buf[0] == '-');
      ::close(fd);
      if (answered) return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  error_ = "redis-server did not answer within 10 s";
  return false;
}

bool RedisServer::Stop() {
  if (pid_ <= 0) return false;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = 0;
  return true;
}

bool RedisServer::Pause() { return pid_ > 0 && ::kill(pid_, SIGSTOP) == 0; }
bool RedisServer::Resume() { return pid_ > 0 && ::kill(pid_, SIGCONT) == 0; }

std::string RedisServer::Cli(const std::vector<std::string>& args) const {
  std::string cmd = "redis-cli -h 127.0.0.1 -p " + std::to_string(port_);
  if (options_.tls) cmd += " --tls --cacert " + ShellQuote(ca_file());
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  return RunShell(cmd).output;
}

bool RedisServer::MakeCertificates() {
  const std::string d = ShellQuote(dir_);
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::string script = "set -e; cd " + d + "; " + "openssl req -x509 " + ec +
                       " -keyout ca.key -out ca.crt -days 2 -subj '/CN=IAM test CA'; " + "openssl req " + ec +
                       " -keyout server.key -out server.csr -subj '/CN=localhost'; " +
                       "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext; " +
                       "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
                       "-days 2 -extfile san.ext";
  auto r = RunShell("sh -c " + ShellQuote(script));
  if (r.status != 0) {
    error_ = "openssl failed: " + r.output;
    return false;
  }
  return true;
}

}  // namespace iam::test
