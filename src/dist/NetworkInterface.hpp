#pragma once
// The network a job's ranks talk over (run.network_interface). A cluster node has several
// (management Ethernet, IPoIB, a data network), and every transport picks its own by default:
// Open MPI's TCP layer tries them all, Gloo takes the address the host name resolves to, NCCL
// its own first match. Naming one interface makes all of them, and the address rank 0
// advertises for the rendezvous, use it. Torch-free: preprocessing and evaluation set it too.
#include <optional>
#include <string>
#include <vector>

namespace p2l {

struct NetworkInterface {
  std::string name;     // "eth1", "ib0"
  std::string address;  // its IPv4 address, dotted
};

// This host's interfaces that are up and hold an IPv4 address, in the kernel's order.
std::vector<NetworkInterface> host_interfaces();

// Applies run.network_interface before MPI or c10d start. "auto" leaves each transport to its
// own choice. A name must be an up IPv4 interface of this host, else this throws naming the
// host and its interfaces; it becomes OMPI_MCA_btl_tcp_if_include, GLOO_SOCKET_IFNAME,
// NCCL_SOCKET_IFNAME and the address rank 0 advertises. A variable the user already set to
// another interface is a conflict, and an error naming both.
void select_network_interface(const std::string& setting);

// The interface select_network_interface chose; nullopt for auto.
std::optional<NetworkInterface> selected_network_interface();

// What this rank uses to reach `host` (the rendezvous master), for the per-rank log line: the
// selected interface, else the one holding the source address the kernel picks for `host`
// (a UDP connect, which sends nothing); "unknown" when `host` does not resolve.
std::string interface_description(const std::string& host);

// "rank R/N on host H: network interface X" for the MPI stages, which print it per rank.
std::string rank_network_line(int rank, int size);

}  // namespace p2l
