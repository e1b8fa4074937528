#include "dist/NetworkInterface.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <stdexcept>

namespace p2l {
namespace {

constexpr const char* kAutomatic = "auto";

// Every variable the chosen interface is handed to a transport by.
constexpr std::array<const char*, 3> kTransportVariables = {"OMPI_MCA_btl_tcp_if_include", "GLOO_SOCKET_IFNAME",
                                                            "NCCL_SOCKET_IFNAME"};

std::optional<NetworkInterface>& selected() {
  static std::optional<NetworkInterface> s;
  return s;
}

std::string this_host() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "this host";
  return name.data();
}

std::string dotted(const sockaddr* a) {
  std::array<char, INET_ADDRSTRLEN> text{};
  inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, text.data(), text.size());
  return text.data();
}

// The interface holding `address`; "" when none does.
std::string interface_with(const std::string& address) {
  for (const auto& i : host_interfaces())
    if (i.address == address) return i.name;
  return "";
}

}  // namespace

std::vector<NetworkInterface> host_interfaces() {
  std::vector<NetworkInterface> out;
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return out;
  for (const ifaddrs* i = all; i; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && (i->ifa_flags & IFF_UP))
      out.push_back({i->ifa_name, dotted(i->ifa_addr)});
  freeifaddrs(all);
  return out;
}

void select_network_interface(const std::string& setting) {
  selected().reset();
  if (setting == kAutomatic) return;
  std::optional<NetworkInterface> found;
  std::string known;
  for (const auto& i : host_interfaces()) {
    known += (known.empty() ? "" : ", ") + i.name + " " + i.address;
    if (i.name == setting && !found) found = i;
  }
  if (!found)
    throw std::runtime_error("run.network_interface: '" + setting + "' is not an interface of " + this_host() +
                             " that is up with an IPv4 address (it has: " + (known.empty() ? "none" : known) +
                             "); name one of them, or auto");
  for (const char* var : kTransportVariables) {
    const char* set = std::getenv(var);
    if (set && *set && setting != set)
      throw std::runtime_error(std::string(var) + "=" + set + " in the environment disagrees with run.network_interface=" +
                               setting + "; set one of them");
    setenv(var, setting.c_str(), 1);
  }
  selected() = found;
}

std::optional<NetworkInterface> selected_network_interface() { return selected(); }

std::string interface_description(const std::string& host) {
  if (selected()) return selected()->name + " " + selected()->address + " (run.network_interface)";
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), "9", &hints, &res) != 0 || !res) return "unknown (" + host + " does not resolve)";
  std::string out = "unknown";
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
    const std::string address = dotted(reinterpret_cast<const sockaddr*>(&local));
    const std::string name = interface_with(address);
    out = (name.empty() ? "?" : name) + " " + address + " (auto)";
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(res);
  return out;
}

std::string rank_network_line(int rank, int size) {
  const auto& s = selected();
  return "rank " + std::to_string(rank) + "/" + std::to_string(size) + " on host " + this_host() +
         ": network interface " + (s ? s->name + " " + s->address : std::string("auto (Open MPI chooses)"));
}

}  // namespace p2l
