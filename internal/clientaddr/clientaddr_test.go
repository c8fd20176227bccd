package clientaddr_test

import (
	"net/http/httptest"
	"testing"

	"github.com/ura-nrm/ura/internal/clientaddr"
)

func TestIP(t *testing.T) {
	trusted, err := clientaddr.ParsePrefixes("10.0.0.0/8, 192.0.2.7, ::1, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	r := clientaddr.New(trusted)
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"NoProxy", "198.51.100.4:5123", nil, "198.51.100.4"},
		{"UntrustedPeerHeaderIgnored", "198.51.100.4:5123", []string{"203.0.113.9"}, "198.51.100.4"},
		{"TrustedProxy", "10.1.2.3:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		// The client wrote the left-most entry itself; the proxy appended
		// the address it saw: that one counts.
		{"ForgedLeftMostIgnored", "10.1.2.3:4000", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"ChainOfTrustedProxies", "192.0.2.7:80", []string{"6.6.6.6, 203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"SeveralHeaderLines", "10.1.2.3:4000", []string{"6.6.6.6", "203.0.113.9, 10.0.0.5"}, "203.0.113.9"},
		{"AllTrustedTakesLeftMost", "10.1.2.3:4000", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		{"TrustedWithoutHeader", "10.1.2.3:4000", nil, "10.1.2.3"},
		{"GarbageStopsAtTheHopThatPassedIt", "10.1.2.3:4000", []string{"203.0.113.9, not-an-ip"}, "10.1.2.3"},
		{"EntryWithPort", "10.1.2.3:4000", []string{"203.0.113.9:61000"}, "203.0.113.9"},
		{"IPv6Peer", "[::1]:4000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv6EntryBracketed", "[fd00::1]:4000", []string{"[2001:db8::5]:443"}, "2001:db8::5"},
		{"IPv4MappedPeer", "[::ffff:10.1.2.3]:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"UnixSocketPeer", "@", []string{"203.0.113.9"}, "@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.IP(req); got != tt.want {
				t.Errorf("IP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNoTrustedProxies(t *testing.T) {
	var r *clientaddr.Resolver
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "127.0.0.1:9999"
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if got := r.IP(req); got != "127.0.0.1" {
		t.Errorf("nil resolver: IP = %q, want the peer", got)
	}
	if got := clientaddr.New(nil).IP(req); got != "127.0.0.1" {
		t.Errorf("no proxies: IP = %q, want the peer", got)
	}
}

func TestParsePrefixes(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.org", "10.0.0.1/8/2", "1.2.3"} {
		if _, err := clientaddr.ParsePrefixes(bad); err == nil {
			t.Errorf("ParsePrefixes(%q) accepted", bad)
		}
	}
	ps, err := clientaddr.ParsePrefixes(" 10.1.2.3/8 ,, 2001:db8::/32 ")
	if err != nil || len(ps) != 2 || ps[0].String() != "10.0.0.0/8" {
		t.Errorf("ParsePrefixes = %v, %v", ps, err)
	}
	if ps, err := clientaddr.ParsePrefixes(""); err != nil || len(ps) != 0 {
		t.Errorf("empty list = %v, %v", ps, err)
	}
}
