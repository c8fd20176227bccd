// Package clientaddr finds the address of the client behind a request: the
// peer of the connection, or — when that peer is a reverse proxy the operator
// named (--trusted-proxies) — the right-most address of X-Forwarded-For that
// is not one of those proxies. Proxies append the address they saw to the
// header, so every entry left of the last trusted hop was written by someone
// else: taking the left-most entry, as a client can put anything there,
// would let anyone choose the address sign-in throttling and rate limits
// count against.
package clientaddr

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParsePrefixes reads a comma-separated list of addresses and CIDR prefixes
// ("10.0.0.0/8, 192.0.2.7, ::1"); an address alone is a prefix of its full
// length. An empty list trusts nobody.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or a CIDR prefix", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Resolver finds client addresses; its zero value trusts no proxy.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a resolver that trusts forwarding headers from the proxies in
// trusted only.
func New(trusted []netip.Prefix) *Resolver {
	return &Resolver{trusted: append([]netip.Prefix(nil), trusted...)}
}

// Trusted reports whether a is one of the configured proxies.
func (r *Resolver) Trusted(a netip.Addr) bool {
	if r == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// IP returns the client address of req as text ("192.0.2.10", "2001:db8::1").
// The connection's peer is the answer unless it is a trusted proxy; then
// X-Forwarded-For is read from the right, skipping trusted proxies, and the
// first address that is not one is the client. An entry that is not an
// address ends the walk at the hop that passed it on: a garbled header
// cannot name a client.
func (r *Resolver) IP(req *http.Request) string {
	peer, ok := parseHost(req.RemoteAddr)
	if !ok {
		return hostOnly(req.RemoteAddr)
	}
	if !r.Trusted(peer) {
		return peer.String()
	}
	entries := forwarded(req.Header.Values("X-Forwarded-For"))
	client := peer
	for i := len(entries) - 1; i >= 0; i-- {
		a, ok := parseHost(entries[i])
		if !ok {
			break
		}
		client = a
		if !r.Trusted(a) {
			break
		}
	}
	return client.String()
}

// FromTrustedProxy reports whether req came through a configured proxy (so
// its X-Forwarded-Proto may be believed).
func (r *Resolver) FromTrustedProxy(req *http.Request) bool {
	peer, ok := parseHost(req.RemoteAddr)
	return ok && r.Trusted(peer)
}

// forwarded splits every X-Forwarded-For line into its entries, in order.
func forwarded(lines []string) []string {
	var out []string
	for _, l := range lines {
		for _, e := range strings.Split(l, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

// parseHost reads "192.0.2.1", "192.0.2.1:5000", "[2001:db8::1]:443" or
// "2001:db8::1" (zones dropped, IPv4-mapped IPv6 as IPv4).
func parseHost(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func hostOnly(s string) string {
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return s
}
