#include "sweep/SlurmClient.hpp"

#include <poll.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace p2l {

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& env) {
  CommandResult r;
  int out[2], err[2];
  if (pipe(out) != 0) return r;
  if (pipe(err) != 0) {
    close(out[0]), close(out[1]);
    return r;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1), dup2(err[1], 2);
    close(out[0]), close(out[1]), close(err[0]), close(err[1]);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]), close(err[1]);
  if (pid < 0) {
    close(out[0]), close(err[0]);
    return r;
  }
  // Both pipes drained together so a chatty stderr cannot block the child.
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

namespace {

// "ID|STATE[|REASON]" lines -> id -> state (and id -> reason).
std::map<std::string, std::string> parse_pairs(const std::string& text,
                                               std::map<std::string, std::string>* reasons = nullptr) {
  std::map<std::string, std::string> m;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto bar = line.find('|');
    if (bar == std::string::npos) continue;
    const std::string id = line.substr(0, bar), rest = line.substr(bar + 1);
    const std::string state = rest.substr(0, rest.find_first_of(" |"));  // "CANCELLED by 0" -> CANCELLED
    if (id.empty() || state.empty()) continue;
    m[id] = state;
    const auto second = rest.find('|');
    if (reasons && second != std::string::npos) (*reasons)[id] = rest.substr(second + 1);
  }
  return m;
}

}  // namespace

std::optional<std::map<std::string, std::string>> queued_jobs(std::map<std::string, std::string>* reasons) {
  const passwd* pw = getpwuid(getuid());
  const std::string user = pw ? pw->pw_name : std::to_string(getuid());
  const CommandResult r = run_command({"squeue", "-h", "-r", "-u", user, "-o", "%i|%T|%r"});
  if (r.rc != 0) return std::nullopt;
  return parse_pairs(r.out, reasons);
}

std::optional<std::map<std::string, std::string>> accounted_jobs(const std::vector<std::string>& job_ids) {
  if (job_ids.empty()) return std::map<std::string, std::string>{};
  std::string list;
  for (const auto& id : job_ids) list += (list.empty() ? "" : ",") + id;
  const CommandResult r = run_command({"sacct", "-n", "-P", "-X", "-j", list, "--format=JobID,State"});
  if (r.rc != 0) return std::nullopt;
  return parse_pairs(r.out);
}

std::string shell_line(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    const bool plain = !a.empty() && a.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:%@") == std::string::npos;
    std::string q = a;
    if (!plain) {
      q = "'";
      for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      q += "'";
    }
    s += (s.empty() ? "" : " ") + q;
  }
  return s;
}

}  // namespace p2l
