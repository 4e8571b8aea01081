#!/bin/bash
# First process of a twin namespace, started as
#   unshare --mount --net --uts --propagation private -- bash ns-init.sh NAME DIR KIND
# KIND: "outer" (the lab networks), "host" (a lab host). Prepares a private /run, /tmp and /sys,
# the host's own /etc/hosts and host name, binds the host's neutron dirs, its /root/.ssh and the twin's systemctl
# over the Debian paths (inside this mount namespace only), sets sysctls explicitly, and then
# becomes `sleep infinity` (its comm "sleep" tells the twin the namespace is ready).
set -euo pipefail
name=$1
dir=$2
kind=$3

mount -t tmpfs -o mode=0755 twin-run /run
mkdir -p /run/netns /run/openvswitch /run/sudo/ts /run/sshd /run/lock /run/mysqld
chmod 0711 /run/sudo
chmod 0700 /run/sudo/ts
mount -t tmpfs -o mode=1777 twin-tmp /tmp
mount -t sysfs twin-sys /sys
hostname "$name"
mount --bind "$dir/hosts" /etc/hosts
printf '%s\n' "$dir" > /run/dvr-lab-twin-host

if [ "$kind" = host ]; then
  mount --bind "$dir/etc-neutron" /etc/neutron
  mount --bind "$dir/log" /var/log/neutron
  mount --bind "$dir/lib-neutron" /var/lib/neutron
  mount --bind "$dir/systemctl" /usr/bin/systemctl
  # The host's own root SSH identity (the lab key on DHCP nodes, for the verifier's VM hop).
  if [ -d "$dir/root-ssh" ]; then
    mkdir -p /root/.ssh
    mount --bind "$dir/root-ssh" /root/.ssh
  fi
fi

ip link set lo up
# Namespaces copy IPv4 conf/all, conf/default and ip_forward from the root namespace and reset
# IPv6: set everything explicitly.
sysctl -qw net.ipv4.ip_forward=0
for scope in all default lo; do
  sysctl -qw "net.ipv4.conf.$scope.rp_filter=0"
  sysctl -qw "net.ipv6.conf.$scope.disable_ipv6=1"
done
sysctl -qw net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.default.accept_redirects=0

exec sleep infinity
