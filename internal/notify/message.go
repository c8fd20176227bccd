package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/i18n"
)

// Message is one e-mail, ready for a Mailer.
type Message struct {
	From, To string
	Data     []byte // the whole RFC 5322 message, CRLF line ends
}

// send delivers one claimed row and returns its new status and, on
// failure, the error class to store.
func (s *Service) send(ctx context.Context, r claimed) (status, class string) {
	u, err := s.Users.FindUserByID(ctx, access.SystemActor, r.userID)
	switch {
	case errs.Is(err, errs.NotFound):
		return StatusSkipped, "no_account"
	case err != nil:
		return StatusQueued, "directory"
	case !u.Active:
		return StatusSkipped, "inactive"
	}
	lang, ok := i18n.Parse(u.Lang)
	if !ok {
		lang = i18n.English
	}
	m, err := BuildMessage(MessageInput{
		From: s.From, To: u.Email, Lang: lang, Kind: Kind(r.kind),
		Link: s.PublicURL + Link(r.objectType, r.objectID), MessageID: r.id, Date: s.now(),
	})
	if err != nil {
		return StatusQueued, "message"
	}
	if err := s.Mailer.Send(ctx, m); err != nil {
		return StatusQueued, ErrorClass(err)
	}
	return StatusSent, ""
}

// MessageInput is everything an e-mail is made of. There is deliberately
// no field for a name, a case reference or a reason.
type MessageInput struct {
	From, To  string
	Lang      i18n.Lang
	Kind      Kind
	Link      string // absolute URL into Ura
	MessageID string // the outbox row id: the same on every retry
	Date      time.Time
}

// BuildMessage renders the generic e-mail of a kind in a language: UTF-8,
// quoted-printable, Auto-Submitted so that out-of-office replies stay quiet.
// The Message-ID derives from the outbox row, so a message resent after an
// unacknowledged delivery can be recognised as the same one.
func BuildMessage(in MessageInput) (Message, error) {
	for _, v := range []string{in.From, in.To, in.Link, in.MessageID} {
		if v == "" || strings.ContainsAny(v, "\r\n") {
			return Message{}, errors.New("notify: empty or multi-line header value")
		}
	}
	from, err := mail.ParseAddress(in.From)
	if err != nil {
		return Message{}, fmt.Errorf("notify: from address: %w", err)
	}
	to, err := mail.ParseAddress(in.To)
	if err != nil {
		return Message{}, errors.New("notify: recipient address is not valid")
	}
	u, err := url.Parse(in.Link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Message{}, errors.New("notify: link is not an absolute http(s) URL")
	}
	p := i18n.For(in.Lang)
	subject := p.T("notify.email.subject." + string(in.Kind))
	body := p.T("notify.email.body", "link", in.Link)

	var b bytes.Buffer
	h := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	h("From", from.String())
	h("To", (&mail.Address{Address: to.Address}).String())
	h("Subject", encodeSubject(subject))
	h("Date", in.Date.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+in.MessageID+"@"+u.Hostname()+">")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=UTF-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Content-Language", string(in.Lang))
	h("Auto-Submitted", "auto-generated")
	h("X-Auto-Response-Suppress", "All")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	text := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(text + "\r\n")); err != nil {
		return Message{}, err
	}
	if err := qp.Close(); err != nil {
		return Message{}, err
	}
	return Message{From: from.Address, To: to.Address, Data: b.Bytes()}, nil
}

// encodeSubject writes a subject as RFC 2047 Q-encoded words of at most 56
// encoded bytes each, one per line, so that every line stays under the 78
// characters of RFC 5322 ("Subject: " and the word's frame included). The
// space between words is encoded inside them (as "_"), because decoders drop
// the whitespace between encoded words. A short ASCII subject stays as it is.
func encodeSubject(s string) string {
	plain := len(s) <= 69
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= ' ' && s[i] <= '~'
	}
	if plain {
		return s
	}
	const max = 56
	var words []string
	var cur strings.Builder
	for _, r := range s {
		var enc strings.Builder
		for _, b := range []byte(string(r)) {
			switch {
			case b == ' ':
				enc.WriteByte('_')
			case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', strings.IndexByte("!*+-/", b) >= 0:
				enc.WriteByte(b)
			default:
				fmt.Fprintf(&enc, "=%02X", b)
			}
		}
		if cur.Len()+enc.Len() > max {
			words = append(words, "=?UTF-8?q?"+cur.String()+"?=")
			cur.Reset()
		}
		cur.WriteString(enc.String())
	}
	if cur.Len() > 0 {
		words = append(words, "=?UTF-8?q?"+cur.String()+"?=")
	}
	return strings.Join(words, "\r\n ")
}
