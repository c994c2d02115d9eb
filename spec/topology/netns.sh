#!/usr/bin/env bash
# The topology test's network: three hosts as network namespaces vg-h1..vg-h3 and a fourth,
# vg-br, that is both their switch and the clients' side. Every address exists only inside
# these namespaces.
#
#   cluster network 10.77.0.0/24: vg-hN eth0 = 10.77.0.N, its peer cl-N enslaved to bridge
#                                 br0 in vg-br (no address: a plain switch). Galera replicates
#                                 over it. Cutting host N = cl-N down.
#   client links 10.78.N.0/24:    vg-hN eth1 = 10.78.N.2, its peer ap-N in vg-br = 10.78.N.1.
#                                 The test (run inside vg-br) reaches host N's API, MariaDB
#                                 and Neo4j over it, also while host N is cut off from the
#                                 cluster: clients that still reach a partitioned host.
#
#   netns.sh up | down | cut N | heal N
set -euo pipefail
: "${TOPOLOGY_HOSTS:=3}"
BR=vg-br
hosts=$(seq 1 "$TOPOLOGY_HOSTS")
nsx() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

up() {
  ip netns add "$BR"
  nsx "$BR" ip link set lo up
  nsx "$BR" ip link add br0 type bridge
  nsx "$BR" ip link set br0 up
  for n in $hosts; do
    local h=vg-h$n
    ip netns add "$h"
    nsx "$h" ip link set lo up
    # Cluster link: created in the host, its peer moved to the switch.
    nsx "$h" ip link add eth0 type veth peer name "cl-$n"
    nsx "$h" ip link set "cl-$n" netns "$BR"
    nsx "$h" ip addr add "10.77.0.$n/24" dev eth0
    nsx "$h" ip link set eth0 up
    nsx "$BR" ip link set "cl-$n" master br0
    nsx "$BR" ip link set "cl-$n" up
    # Client link.
    nsx "$h" ip link add eth1 type veth peer name "ap-$n"
    nsx "$h" ip link set "ap-$n" netns "$BR"
    nsx "$h" ip addr add "10.78.$n.2/24" dev eth1
    nsx "$h" ip link set eth1 up
    nsx "$BR" ip addr add "10.78.$n.1/24" dev "ap-$n"
    nsx "$BR" ip link set "ap-$n" up
  done
}

down() {
  local ns
  for ns in "$BR" $(for n in $hosts; do echo "vg-h$n"; done); do
    ip netns del "$ns" 2>/dev/null || true
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  cut) nsx "$BR" ip link set "cl-$2" down ;;
  heal) nsx "$BR" ip link set "cl-$2" up ;;
  *)
    echo "usage: netns.sh up|down|cut N|heal N" >&2
    exit 2
    ;;
esac
