"""A reader's address: one spelling per address, and the network that counts as one reader.

The same reader can be written many ways: an IPv4 address mapped into IPv6
(::ffff:198.51.100.91), an IPv6 address with a zone id (fe80::1%eth0), or any of
the 2**64 addresses of the IPv6 /64 one subscriber is handed. Comments store,
flood control counts and blocklists match the forms defined here, and nowhere else.
"""

import ipaddress

import marshmallow as ma

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# One reader is one IPv4 address, or one IPv6 /64: a home or phone is handed a
# whole /64 and may pick any address in it, so counting smaller lets it post
# as many readers as it likes.
READER_PREFIX = {4: 32, 6: 64}


def canonical(address: IPAddress) -> IPAddress:
    """Return the address in its one spelling: mapped IPv4 as IPv4, without a zone id."""
    if address.version == 4:
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    # A zone id names a network interface of the host that saw the packet, not
    # anything about the reader: fe80::1%a and fe80::1%b are one address to us.
    return ipaddress.IPv6Address(address.packed) if address.scope_id else address


def parse(text: str) -> IPAddress:
    """Read an address in its canonical form (ValueError if it is not one)."""
    return canonical(ipaddress.ip_address(text))


def parse_network(text: str) -> IPNetwork:
    """Read an address or CIDR range in canonical form, host bits cleared (ValueError if bad)."""
    network = ipaddress.ip_network(text, strict=False)
    first = canonical(network.network_address)
    if first.version == network.version:
        return ipaddress.ip_network((first, network.prefixlen))
    # A range inside ::ffff:0:0/96 is an IPv4 range, written in IPv6.
    return ipaddress.ip_network((first, network.prefixlen - 96))


def network_of(text: str, prefixes: dict[int, int]) -> IPNetwork:
    """Return the network around an address, at the prefix length given for its version."""
    address = parse(text)
    return ipaddress.ip_network((address, prefixes[address.version]), strict=False)


def reader(text: str) -> str:
    """Name the network counted as one reader: the IPv4 address, or the IPv6 /64."""
    return str(network_of(text, READER_PREFIX))


def client(remote_addr: str | None) -> str:
    """Name the network a request came from, as reader() does, or "unknown" for no IP at all.

    No IP means a Unix socket: every caller then comes through one local proxy.
    """
    try:
        return reader(remote_addr)
    except (TypeError, ValueError):
        return "unknown"


class Address(ma.fields.IP):
    """A reader's IP address, loaded as the text of its canonical form."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return str(canonical(super()._deserialize(value, attr, data, **kwargs)))
