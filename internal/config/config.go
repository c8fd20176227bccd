// Package config is Ura's one typed configuration: defaults, then the
// environment, then flags. Secrets come from *_FILE variables or files in the
// data directory, never from flags (which show in process lists).
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the zone database inside the binary: servers without tzdata show local time too

	"github.com/ura-nrm/ura/internal/clientaddr"
)

// Config is everything an operator can set.
type Config struct {
	// Addr is where serve listens.
	Addr string
	// DataDir holds the master key file and, unless DB is set, the SQLite database.
	DataDir string
	// DB is a postgres:// URL; empty means SQLite in DataDir.
	DB string
	// KeyFile is the master key file; default DataDir/master.key.
	KeyFile string
	// Country is this instance's ISO 3166-1 alpha-2 code (XK for Kosovo).
	Country string
	// PublicURL is how users and partners reach this instance (links in e-mails).
	PublicURL string
	// Demo loads demo data and accounts on an empty store.
	Demo bool
	// TrustedProxies are the reverse proxies (addresses and CIDR prefixes)
	// whose X-Forwarded-For serve believes; the client is the right-most
	// address there that is not one of them (internal/clientaddr). Empty:
	// the connection's peer is the client.
	TrustedProxies []netip.Prefix
	// MetricsAddr, when set, is a second listen address that serves
	// /metrics alone (and the main address does not serve it).
	MetricsAddr string
	// Profiling serves Go's profiles (net/http/pprof: CPU, heap, block,
	// mutex, goroutines) under /debug/pprof/ on MetricsAddr, which must
	// then be a loopback address, and records blocking and lock waits.
	Profiling bool
	// MetricsToken, read from URA_METRICS_TOKEN_FILE, lets a scraper read
	// /metrics on the main address with "Authorization: Bearer TOKEN".
	// Without it (and without MetricsAddr) /metrics is not served.
	MetricsToken string
	// APIRatePerToken and APIRatePerAddress cap API requests per minute per
	// bearer token and per client address (bursts up to one minute's worth);
	// 0 turns a limit off.
	APIRatePerToken   int
	APIRatePerAddress int
	// MaxBodyBytes caps every request body.
	MaxBodyBytes int64
	// ShutdownTimeout bounds the wait for in-flight requests at shutdown.
	ShutdownTimeout time.Duration
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// TimeZone is the IANA zone every page shows times in (Kosovo, Serbia and
	// Montenegro: Europe/Belgrade; Albania: Europe/Tirane).
	TimeZone string

	// SMTP is the relay that carries e-mail notifications; with no Host they
	// stay queued (internal/notify).
	SMTP SMTP

	// Portal is what the public portal (/help/) says about the helpline.
	Portal Portal

	// ExchangeRetryMax caps the wait between two delivery attempts of a
	// message to a partner instance (exponential backoff from one second).
	ExchangeRetryMax time.Duration
}

// Portal configures the public portal: the helpline's number and opening
// hours ("mon-fri 08:00-22:00", several spans separated by ";", or "24/7";
// in the instance's time zone), the emergency number shown outside them,
// and the neutral site that quick exit goes to.
type Portal struct {
	HelplineNumber string
	HelplineHours  string
	Emergency      string
	ExitURL        string
}

// SMTP configures the mail relay. The password comes only from the file named
// by URA_SMTP_PASSWORD_FILE: not a flag (process lists), not a variable
// (/proc/PID/environ, unit files).
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the sender address of notifications, e.g. "Ura <ura@example.org>".
	From string
	// StartTLS is required (default), opportunistic, none, or implicit (TLS
	// from the first byte, SMTPS on port 465; the default when the port is
	// 465 and no mode is set).
	StartTLS string
}

// Default returns the defaults.
func Default() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DataDir:           "./ura-data",
		Country:           "XK",
		MaxBodyBytes:      1 << 20,
		ShutdownTimeout:   20 * time.Second,
		LogLevel:          "info",
		TimeZone:          "Europe/Belgrade",
		APIRatePerToken:   600,
		APIRatePerAddress: 1200,
		SMTP:              SMTP{Port: 587, StartTLS: "required"},
		// Kosovo's anti-trafficking helpline and the police number (DOMAIN.md
		// §6.4); the hours were not confirmed by a primary source: set them.
		Portal: Portal{HelplineNumber: "0800 11112", HelplineHours: "mon-fri 08:00-22:00", Emergency: "192",
			ExitURL: "https://www.google.com/search?q=weather"},
	}
}

// FromEnv overlays the environment on c.
func (c *Config) FromEnv(getenv func(string) string) error {
	set := func(dst *string, name string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set(&c.Addr, "URA_ADDR")
	set(&c.DataDir, "URA_DATA")
	set(&c.DB, "URA_DB")
	set(&c.KeyFile, "URA_KEY_FILE")
	set(&c.Country, "URA_COUNTRY")
	set(&c.PublicURL, "URA_PUBLIC_URL")
	set(&c.LogLevel, "URA_LOG_LEVEL")
	set(&c.TimeZone, "URA_TIMEZONE")
	set(&c.Portal.HelplineNumber, "URA_HELPLINE_NUMBER")
	set(&c.Portal.HelplineHours, "URA_HELPLINE_HOURS")
	set(&c.Portal.Emergency, "URA_EMERGENCY_NUMBER")
	set(&c.Portal.ExitURL, "URA_PORTAL_EXIT_URL")
	if v := getenv("URA_EXCHANGE_RETRY_MAX"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("URA_EXCHANGE_RETRY_MAX must be a duration such as 5m")
		}
		c.ExchangeRetryMax = d
	}
	if f := getenv("URA_DB_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("URA_DB_FILE: %w", err)
		}
		c.DB = strings.TrimSpace(string(b))
	}
	if getenv("URA_TRUST_PROXY") != "" {
		return errTrustProxy
	}
	if v := getenv("URA_TRUSTED_PROXIES"); v != "" {
		if err := c.setTrustedProxies(v); err != nil {
			return fmt.Errorf("URA_TRUSTED_PROXIES: %w", err)
		}
	}
	set(&c.MetricsAddr, "URA_METRICS_ADDR")
	if v := getenv("URA_PROFILING"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("URA_PROFILING: want true or false, not %q", v)
		}
		c.Profiling = b
	}
	if getenv("URA_METRICS_TOKEN") != "" {
		return errors.New("URA_METRICS_TOKEN is not read: put the token in a file and set URA_METRICS_TOKEN_FILE")
	}
	if f := getenv("URA_METRICS_TOKEN_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("URA_METRICS_TOKEN_FILE: %w", err)
		}
		c.MetricsToken = strings.TrimSpace(string(b))
	}
	for _, r := range []struct {
		dst  *int
		name string
	}{{&c.APIRatePerToken, "URA_API_RATE_PER_TOKEN"}, {&c.APIRatePerAddress, "URA_API_RATE_PER_ADDRESS"}} {
		if v := getenv(r.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s must be a number of requests per minute", r.name)
			}
			*r.dst = n
		}
	}
	return c.SMTP.fromEnv(getenv)
}

// errTrustProxy replaces the old all-or-nothing switch, which believed
// X-Forwarded-For from any peer.
var errTrustProxy = errors.New("URA_TRUST_PROXY and --trust-proxy are replaced by --trusted-proxies (URA_TRUSTED_PROXIES): name your reverse proxies, e.g. 127.0.0.1 or 10.0.0.0/8")

func (c *Config) setTrustedProxies(v string) error {
	ps, err := clientaddr.ParsePrefixes(v)
	if err != nil {
		return err
	}
	c.TrustedProxies = ps
	return nil
}

// prefixesFlag is --trusted-proxies.
type prefixesFlag struct{ c *Config }

func (f prefixesFlag) String() string {
	if f.c == nil {
		return ""
	}
	return joinPrefixes(f.c.TrustedProxies)
}

func (f prefixesFlag) Set(v string) error { return f.c.setTrustedProxies(v) }

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

func (m *SMTP) fromEnv(getenv func(string) string) error {
	set := func(dst *string, name string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set(&m.Host, "URA_SMTP_HOST")
	set(&m.Username, "URA_SMTP_USERNAME")
	set(&m.From, "URA_SMTP_FROM")
	set(&m.StartTLS, "URA_SMTP_STARTTLS")
	if v := getenv("URA_SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("URA_SMTP_PORT must be a number")
		}
		m.Port = p
		if p == 465 && getenv("URA_SMTP_STARTTLS") == "" {
			m.StartTLS = "implicit" // port 465 is SMTPS (RFC 8314): TLS from the first byte
		}
	}
	if getenv("URA_SMTP_PASSWORD") != "" {
		return errors.New("URA_SMTP_PASSWORD is not read: put the password in a file and set URA_SMTP_PASSWORD_FILE")
	}
	if f := getenv("URA_SMTP_PASSWORD_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("URA_SMTP_PASSWORD_FILE: %w", err)
		}
		m.Password = strings.TrimRight(string(b), "\r\n")
	}
	return nil
}

// validate checks the relay settings; an empty Host turns e-mail off.
func (m *SMTP) validate() error {
	if m.StartTLS == "" {
		m.StartTLS = "required"
	}
	switch m.StartTLS {
	case "required", "opportunistic", "none", "implicit":
	default:
		return errors.New("URA_SMTP_STARTTLS must be required, opportunistic, none or implicit")
	}
	if m.Host == "" {
		if m.Username != "" || m.Password != "" {
			return errors.New("SMTP credentials are set but URA_SMTP_HOST is not")
		}
		return nil
	}
	if m.Port < 1 || m.Port > 65535 {
		return errors.New("URA_SMTP_PORT must be between 1 and 65535")
	}
	if strings.ContainsAny(m.Host, " /:@\r\n") && net.ParseIP(m.Host) == nil {
		return errors.New("URA_SMTP_HOST must be a host name or an IP address")
	}
	a, err := mail.ParseAddress(m.From)
	if err != nil || strings.ContainsAny(m.From, "\r\n") {
		return errors.New("URA_SMTP_FROM must be an e-mail address (e.g. Ura <ura@example.org>)")
	}
	m.From = a.String()
	if m.Password != "" && m.Username == "" {
		return errors.New("URA_SMTP_PASSWORD_FILE is set but URA_SMTP_USERNAME is not")
	}
	if m.Username != "" && m.StartTLS == "none" && !isLoopback(m.Host) {
		return errors.New("URA_SMTP_STARTTLS=none would send the SMTP password in clear: use required")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// StoreFlags registers the flags every subcommand shares: --data and --db.
func (c *Config) StoreFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (master key file; SQLite database unless --db) [URA_DATA]")
	fs.StringVar(&c.DB, "db", c.DB, "PostgreSQL URL, postgres://… (default: SQLite in the data directory) [URA_DB]")
}

// ServeFlags registers the flags of serve.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.StoreFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address [URA_ADDR]")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load demo organisations and accounts on an empty store")
	fs.StringVar(&c.Country, "country", c.Country, "this instance's country code, ISO 3166-1 alpha-2 [URA_COUNTRY]")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "the URL users reach Ura at [URA_PUBLIC_URL]")
	fs.StringVar(&c.TimeZone, "timezone", c.TimeZone, "the time zone pages show times in, e.g. Europe/Belgrade [URA_TIMEZONE]")
	fs.StringVar(&c.Portal.HelplineNumber, "helpline-number", c.Portal.HelplineNumber, "the helpline number the public portal shows [URA_HELPLINE_NUMBER]")
	fs.StringVar(&c.Portal.HelplineHours, "helpline-hours", c.Portal.HelplineHours, "the helpline's opening hours, e.g. \"mon-fri 08:00-22:00\" or \"24/7\" [URA_HELPLINE_HOURS]")
	fs.StringVar(&c.Portal.Emergency, "emergency-number", c.Portal.Emergency, "the emergency number the portal shows [URA_EMERGENCY_NUMBER]")
	fs.StringVar(&c.Portal.ExitURL, "portal-exit-url", c.Portal.ExitURL, "the neutral site the portal's quick exit goes to [URA_PORTAL_EXIT_URL]")
	fs.DurationVar(&c.ExchangeRetryMax, "exchange-retry-max", c.ExchangeRetryMax, "the longest wait between two delivery attempts to a partner instance (default 5m) [URA_EXCHANGE_RETRY_MAX]")
	fs.Var(prefixesFlag{c}, "trusted-proxies", "reverse proxies whose X-Forwarded-For is believed: addresses and CIDR prefixes, comma-separated [URA_TRUSTED_PROXIES]")
	fs.BoolFunc("trust-proxy", "replaced by --trusted-proxies", func(string) error { return errTrustProxy })
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "a separate listen address for /metrics (else /metrics needs the token of URA_METRICS_TOKEN_FILE) [URA_METRICS_ADDR]")
	fs.BoolVar(&c.Profiling, "profiling", c.Profiling, "serve Go's profiles under /debug/pprof/ on --metrics-addr (a loopback address), for finding the latency tail under load [URA_PROFILING]")
	fs.IntVar(&c.APIRatePerToken, "api-rate-per-token", c.APIRatePerToken, "API requests per minute per token, 0 for no limit [URA_API_RATE_PER_TOKEN]")
	fs.IntVar(&c.APIRatePerAddress, "api-rate-per-address", c.APIRatePerAddress, "API requests per minute per client address, 0 for no limit [URA_API_RATE_PER_ADDRESS]")
}

var countryRE = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate checks c and fills derived defaults.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("--data must not be empty")
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(c.DataDir, "master.key")
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return errors.New("--db must be a postgres:// URL")
	}
	c.Country = strings.ToUpper(c.Country)
	if !countryRE.MatchString(c.Country) {
		return errors.New("--country must be a two-letter country code")
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("--addr: %v", err)
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr: %v", err)
		}
		if _, port, _ := net.SplitHostPort(c.MetricsAddr); c.MetricsAddr == c.Addr && port != "0" {
			return errors.New("--metrics-addr must differ from --addr")
		}
	}
	if c.Profiling {
		host, _, _ := net.SplitHostPort(c.MetricsAddr)
		if ip := net.ParseIP(host); c.MetricsAddr == "" || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return errors.New("--profiling needs --metrics-addr on a loopback address (127.0.0.1:PORT): profiles show the server's memory")
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return errors.New("URA_METRICS_TOKEN_FILE must hold a token of 16 characters or more")
	}
	if c.APIRatePerToken < 0 || c.APIRatePerAddress < 0 {
		return errors.New("--api-rate-per-token and --api-rate-per-address must be 0 (no limit) or more")
	}
	if c.PublicURL == "" && c.Addr != "" {
		c.PublicURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("--public-url must be an http(s) URL")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return errors.New("URA_LOG_LEVEL must be debug, info, warn or error")
	}
	if _, err := c.Location(); err != nil {
		return errors.New("--timezone must be an IANA time zone such as Europe/Belgrade")
	}
	return c.SMTP.validate()
}

// Location is the time zone of the pages (UTC when none is set).
func (c *Config) Location() (*time.Location, error) {
	if c.TimeZone == "" {
		return time.UTC, nil
	}
	return time.LoadLocation(c.TimeZone)
}

// Secure reports whether the public URL is https (cookies get Secure).
func (c *Config) Secure() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// Masked renders c for `ura config` with the database password hidden.
func (c Config) Masked() string {
	db := c.DB
	if u, err := url.Parse(db); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxx")
			db = strings.Replace(u.String(), ":xxxx@", ":****@", 1) // "*" would be escaped
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "addr=%s\ndata=%s\ndb=%s\nkey_file=%s\ncountry=%s\npublic_url=%s\ntrusted_proxies=%s\nmax_body_bytes=%d\nlog_level=%s\ntimezone=%s\n",
		c.Addr, c.DataDir, db, c.KeyFile, c.Country, c.PublicURL, joinPrefixes(c.TrustedProxies), c.MaxBodyBytes, c.LogLevel, c.TimeZone)
	tok := ""
	if c.MetricsToken != "" {
		tok = "****"
	}
	fmt.Fprintf(&b, "metrics_addr=%s\nmetrics_token=%s\napi_rate_per_token=%d\napi_rate_per_address=%d\n",
		c.MetricsAddr, tok, c.APIRatePerToken, c.APIRatePerAddress)
	pw := ""
	if c.SMTP.Password != "" {
		pw = "****"
	}
	fmt.Fprintf(&b, "smtp_host=%s\nsmtp_port=%d\nsmtp_username=%s\nsmtp_password=%s\nsmtp_from=%s\nsmtp_starttls=%s\n",
		c.SMTP.Host, c.SMTP.Port, c.SMTP.Username, pw, c.SMTP.From, c.SMTP.StartTLS)
	return b.String()
}
