package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ura-nrm/ura/internal/ratelimit"
)

// Guard holds back floods of tips and guessed tip codes without any
// third-party CAPTCHA and without storing who sent what:
//
//   - rate limits per time window, in memory only, per client and overall.
//     A client is known by a keyed hash of its address with a key made at
//     start and never written down: the address itself is never kept, the
//     hashes die with the process, and they are never logged;
//   - a honeypot field (the handler's part);
//   - an optional proof of work: a browser with JavaScript fetches a signed
//     challenge and finds a nonce; a valid one earns a larger allowance.
//     Without JavaScript the form still works, within the plain limit.
type Guard struct {
	key        [32]byte
	tips       *ratelimit.Limiter // per client, without proof of work
	tipsPoW    *ratelimit.Limiter // per client, with a valid proof of work
	tipsAll    *ratelimit.Limiter // every client together
	codes      *ratelimit.Limiter // tip code uses per client
	codesAll   *ratelimit.Limiter
	now        func() time.Time
	mu         sync.Mutex
	used       map[string]time.Time // spent challenges until they expire
	thanks     map[string]thanks    // one-time thank-you pages
	Difficulty int                  // leading zero bits of a proof of work
}

type thanks struct {
	code string
	exp  time.Time
}

// Limits are the per-minute allowances of a Guard; 0 turns one off.
type Limits struct {
	TipsPerClient, TipsPerClientPoW, TipsOverall, CodesPerClient, CodesOverall int
}

// DefaultLimits: a person sends a tip or two; a flood is held back.
var DefaultLimits = Limits{TipsPerClient: 3, TipsPerClientPoW: 10, TipsOverall: 300, CodesPerClient: 5, CodesOverall: 120}

// NewGuard returns a guard with the limits; now is the clock (nil: time.Now).
func NewGuard(l Limits, now func() time.Time) *Guard {
	if now == nil {
		now = time.Now
	}
	g := &Guard{now: now, used: map[string]time.Time{}, thanks: map[string]thanks{}, Difficulty: 14,
		tips: ratelimit.New(l.TipsPerClient, now), tipsPoW: ratelimit.New(l.TipsPerClientPoW, now),
		tipsAll: ratelimit.New(l.TipsOverall, now), codes: ratelimit.New(l.CodesPerClient, now),
		codesAll: ratelimit.New(l.CodesOverall, now)}
	rand.Read(g.key[:])
	return g
}

// client is the in-memory key of an address: HMAC-SHA-256 under the
// guard's random key, truncated. Not reversible without the key, which
// never leaves the process.
func (g *Guard) client(addr string) string {
	m := hmac.New(sha256.New, g.key[:])
	m.Write([]byte("client\x00" + addr))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// AllowTip takes one tip from the client's allowance (a larger one with a
// valid proof of work) and from the overall one.
func (g *Guard) AllowTip(addr string, pow bool) bool {
	lim := g.tips
	if pow {
		lim = g.tipsPoW
	}
	if ok, _ := lim.Allow(g.client(addr)); !ok {
		return false
	}
	ok, _ := g.tipsAll.Allow("all")
	return ok
}

// AllowCode takes one use of a tip code (right or wrong alike).
func (g *Guard) AllowCode(addr string) bool {
	if ok, _ := g.codes.Allow(g.client(addr)); !ok {
		return false
	}
	ok, _ := g.codesAll.Allow("all")
	return ok
}

const challengeTTL = 10 * time.Minute

// Challenge returns a signed proof-of-work challenge: expiry, random bytes,
// difficulty and a MAC, so the server keeps nothing until it is spent.
func (g *Guard) Challenge() string {
	var b [8 + 12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(g.now().Add(challengeTTL).Unix()))
	rand.Read(b[8:])
	body := base64.RawURLEncoding.EncodeToString(b[:]) + "." + strconv.Itoa(g.Difficulty)
	return body + "." + g.mac(body)
}

func (g *Guard) mac(body string) string {
	m := hmac.New(sha256.New, g.key[:])
	m.Write([]byte("pow\x00" + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// CheckPoW tells whether nonce solves challenge: a challenge of this guard,
// not expired, not spent, and SHA-256(challenge ":" nonce) starts with the
// challenge's number of zero bits. A solved challenge is spent.
func (g *Guard) CheckPoW(challenge, nonce string) bool {
	if challenge == "" || nonce == "" || len(challenge) > 200 || len(nonce) > 40 {
		return false
	}
	i := strings.LastIndexByte(challenge, '.')
	if i < 0 || !hmac.Equal([]byte(g.mac(challenge[:i])), []byte(challenge[i+1:])) {
		return false
	}
	raw, diffStr, ok := strings.Cut(challenge[:i], ".")
	diff, err := strconv.Atoi(diffStr)
	b, err2 := base64.RawURLEncoding.DecodeString(raw)
	if !ok || err != nil || err2 != nil || len(b) != 20 || diff < 1 || diff > 32 {
		return false
	}
	now := g.now()
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	if now.After(exp) {
		return false
	}
	sum := sha256.Sum256([]byte(challenge + ":" + nonce))
	if !leadingZeros(sum[:], diff) {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, at := range g.used {
		if now.After(at) {
			delete(g.used, k)
		}
	}
	if _, spent := g.used[challenge]; spent {
		return false
	}
	g.used[challenge] = exp
	return true
}

func leadingZeros(b []byte, bits int) bool {
	for i := 0; bits > 0; i++ {
		if bits >= 8 {
			if b[i] != 0 {
				return false
			}
			bits -= 8
			continue
		}
		return b[i]>>(8-bits) == 0
	}
	return true
}

// Solve finds a nonce for a challenge (tests and the load tool).
func Solve(challenge string) string {
	parts := strings.Split(challenge, ".")
	if len(parts) != 3 {
		return ""
	}
	diff, _ := strconv.Atoi(parts[1])
	for n := 0; ; n++ {
		nonce := strconv.Itoa(n)
		sum := sha256.Sum256([]byte(challenge + ":" + nonce))
		if leadingZeros(sum[:], diff) {
			return nonce
		}
	}
}

const thanksTTL = 15 * time.Minute

// Thanks keeps a tip code for one showing of the thank-you page and returns
// the page's token. The code is in memory only, for at most 15 minutes; the
// token in the URL (and so in the browser's history) shows it once.
func (g *Guard) Thanks(code string) string {
	var b [16]byte
	rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, t := range g.thanks {
		if now.After(t.exp) {
			delete(g.thanks, k)
		}
	}
	g.thanks[tok] = thanks{code: code, exp: now.Add(thanksTTL)}
	return tok
}

// TakeThanks returns the code of a thank-you token and forgets it.
func (g *Guard) TakeThanks(tok string) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.thanks[tok]
	delete(g.thanks, tok)
	if !ok || g.now().After(t.exp) {
		return "", false
	}
	return t.code, true
}
