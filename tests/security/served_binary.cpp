#include "security/served_binary.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace iam::security {

namespace asio = boost::asio;
using namespace std::chrono_literals;

ServedBinary::ServedBinary(std::vector<std::string> env, std::vector<std::string> args) {
  char tmpl[] = "/tmp/iam-served-XXXXXX";
  dir_ = mkdtemp(tmpl);
  output_file_ = dir_ + "/output.log";
  if (const char* path = std::getenv("PATH")) env.push_back(std::string("PATH=") + path);
  args.insert(args.begin(), IAM_BINARY);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // The child starts in the temporary directory (no stray ./.env is read, ./data lands there).
  posix_spawn_file_actions_addchdir_np(&actions, dir_.c_str());
  if (posix_spawn(&pid_, IAM_BINARY, &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = 0;
  posix_spawn_file_actions_destroy(&actions);
}

ServedBinary::~ServedBinary() {
  if (pid_ > 0) Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool ServedBinary::WaitServing(unsigned short port) {
  for (int i = 0; i < 400; ++i) {
    if (pid_ <= 0 || waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = 0;
      return false;
    }
    if (Http(port, "GET", "/health").status == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

int ServedBinary::Wait() {
  for (int i = 0; i < 400 && pid_ > 0; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(50ms);
  }
  return -1;
}

int ServedBinary::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(50ms);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = 0;
  return -1;
}

std::string ServedBinary::Output() const {
  std::ifstream in(output_file_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RawResponse SendRaw(unsigned short port, const std::string& raw) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  RawResponse out;
  if (ec) return out;
  asio::write(s, asio::buffer(raw), ec);
  s.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  char buf[8192];
  ec = {};
  while (!ec) out.text.append(buf, s.read_some(asio::buffer(buf), ec));
  if (out.text.starts_with("HTTP/1.1 ") && out.text.size() >= 12) out.status = std::atoi(out.text.substr(9, 3).c_str());
  if (auto sep = out.text.find("\r\n\r\n"); sep != std::string::npos) out.body = out.text.substr(sep + 4);
  return out;
}

RawResponse Http(unsigned short port, const std::string& method, const std::string& target, const std::string& body,
                 const std::vector<std::string>& headers) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& h : headers) raw += h + "\r\n";
  if (!body.empty()) raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return SendRaw(port, raw + "\r\n" + body);
}

unsigned short FreePort() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

}  // namespace iam::security
