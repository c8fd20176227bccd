package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/store"
)

// Mailer sends one message. SMTP is the real one; tests may use their own.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// The TLS modes of SMTP.
const (
	TLSRequired      = "required"      // refuse to send unless the server offers STARTTLS and it succeeds
	TLSOpportunistic = "opportunistic" // use STARTTLS when offered
	TLSNone          = "none"          // plain text: only for a relay on the same host or network
	TLSImplicit      = "implicit"      // TLS from the first byte (SMTPS, port 465, RFC 8314)
)

// ErrNoStartTLS means STARTTLS was required and the server did not offer it.
var ErrNoStartTLS = errors.New("smtp: server does not offer STARTTLS")

// SMTP sends through a relay with the standard library's net/smtp, which
// has all Ura needs (EHLO, STARTTLS, AUTH PLAIN, one message per session):
// no SMTPUTF8 is needed because addresses are ASCII and the text is
// quoted-printable. Each message gets its own short session, so one bad
// recipient cannot spoil the others.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// StartTLS is TLSRequired (the default when empty), TLSOpportunistic,
	// TLSNone or TLSImplicit (SMTPS: the session starts inside TLS).
	StartTLS string
	// HelloName is the name sent with EHLO (the public host name).
	HelloName string
	// TLS overrides the TLS settings (tests with their own CA).
	TLS *tls.Config
	// Timeout bounds a whole session; default 30 s.
	Timeout time.Duration
}

// Send delivers m in one SMTP session.
func (c *SMTP) Send(ctx context.Context, m Message) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	mode := c.StartTLS
	if mode == "" {
		mode = TLSRequired
	}
	var conn net.Conn
	var err error
	if mode == TLSImplicit {
		// The handshake happens before any SMTP word, so the greeting,
		// AUTH and the message all travel encrypted; net/smtp sees a
		// *tls.Conn and lets PlainAuth through.
		d := tls.Dialer{Config: c.tlsConfig()}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return err
	}
	dl, _ := ctx.Deadline()
	conn.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer cl.Close()
	hello := c.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := cl.Hello(hello); err != nil {
		return err
	}
	if mode != TLSNone && mode != TLSImplicit {
		if ok, _ := cl.Extension("STARTTLS"); ok {
			if err := cl.StartTLS(c.tlsConfig()); err != nil {
				return err
			}
		} else if mode == TLSRequired {
			return ErrNoStartTLS
		}
	}
	if c.Username != "" {
		// PlainAuth itself refuses to send the password over an
		// unencrypted connection to anything but localhost.
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return err
		}
	}
	if err := cl.Mail(m.From); err != nil {
		return err
	}
	if err := cl.Rcpt(m.To); err != nil {
		return err
	}
	w, err := cl.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(m.Data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return cl.Quit()
}

// tlsConfig is the TLS of a session: the test's own, or the system roots
// checking the relay's name, TLS 1.2 at least.
func (c *SMTP) tlsConfig() *tls.Config {
	if c.TLS != nil {
		return c.TLS
	}
	return &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
}

// ErrorClass names a send failure without its text: an SMTP reply can quote
// the recipient's address, and the class is stored and logged.
func ErrorClass(err error) string {
	var tp *textproto.Error
	var ne net.Error
	var opErr *net.OpError
	var tlsErr *tls.RecordHeaderError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &tp):
		return "smtp " + strconv.Itoa(tp.Code)
	case errors.Is(err, ErrNoStartTLS):
		return "no_starttls"
	case errors.As(err, &certErr), errors.As(err, &tlsErr):
		return "tls"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "connect"
	}
	return "smtp"
}

// New builds the service from the configuration. Without an SMTP host the
// Mailer is nil: notifications still appear in Ura and their e-mails wait in
// the outbox until a relay is configured.
func New(db *store.DB, clk clock.Clock, users Directory, cfg config.Config, log *slog.Logger) *Service {
	s := &Service{DB: db, Clock: clk, Users: users, PublicURL: cfg.PublicURL, From: cfg.SMTP.From, Log: log}
	if cfg.SMTP.Host != "" {
		hello := "localhost"
		if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
			hello = u.Hostname()
		}
		s.Mailer = &SMTP{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, StartTLS: cfg.SMTP.StartTLS, HelloName: hello}
	}
	return s
}
