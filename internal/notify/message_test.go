package notify_test

import (
	"bytes"
	"errors"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/notify"
)

func input(lang i18n.Lang, kind notify.Kind) notify.MessageInput {
	return notify.MessageInput{From: "Ura <ura@example.org>", To: "staff@example.org", Lang: lang, Kind: kind,
		Link: "https://ura.example.org/referrals/abc", MessageID: "row1", Date: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)}
}

// TestBuildMessage renders every kind in every language: a translated
// subject (not the key), well-formed MIME, lines short enough for SMTP.
func TestBuildMessage(t *testing.T) {
	for _, lang := range i18n.Supported {
		for _, kind := range notify.Kinds {
			t.Run(string(lang)+"/"+string(kind), func(t *testing.T) {
				m, err := notify.BuildMessage(input(lang, kind))
				if err != nil {
					t.Fatal(err)
				}
				if m.From != "ura@example.org" || m.To != "staff@example.org" {
					t.Errorf("envelope = %s → %s", m.From, m.To)
				}
				for i, line := range bytes.Split(m.Data, []byte("\r\n")) {
					if len(line) > 78 || bytes.ContainsRune(line, '\n') {
						t.Errorf("line %d is %d bytes or has a bare LF: %q", i, len(line), line)
					}
				}
				msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
				if err != nil {
					t.Fatal(err)
				}
				subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
				if want := i18n.For(lang).T("notify.email.subject." + string(kind)); err != nil || subj != want {
					t.Errorf("subject = %q, %v; want %q", subj, err, want)
				}
				if strings.HasPrefix(subj, "notify.") {
					t.Errorf("subject is the untranslated key %q", subj)
				}
				if got := msg.Header.Get("Message-ID"); got != "<row1@ura.example.org>" {
					t.Errorf("Message-ID = %q: the same row must keep the same id on every retry", got)
				}
				if got := msg.Header.Get("Content-Transfer-Encoding"); got != "quoted-printable" {
					t.Errorf("Content-Transfer-Encoding = %q", got)
				}
			})
		}
	}
}

func TestBuildMessageRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*notify.MessageInput)
	}{
		{"HeaderInjectionInTo", func(in *notify.MessageInput) { in.To = "a@example.org\r\nBcc: b@example.org" }},
		{"NotAnAddress", func(in *notify.MessageInput) { in.To = "staff" }},
		{"RelativeLink", func(in *notify.MessageInput) { in.Link = "/referrals/abc" }},
		{"JavascriptLink", func(in *notify.MessageInput) { in.Link = "javascript:alert(1)" }},
		{"NoMessageID", func(in *notify.MessageInput) { in.MessageID = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(i18n.English, notify.ReferralReceived)
			tt.change(&in)
			if _, err := notify.BuildMessage(in); err == nil {
				t.Error("built, want an error")
			} else if strings.Contains(err.Error(), "staff") {
				t.Errorf("the error repeats the address: %v", err)
			}
		})
	}
}

func TestErrorClass(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{notify.ErrNoStartTLS, "no_starttls"},
		{errors.New("550 5.1.1 <someone@example.org>: unknown"), "smtp"},
	}
	for _, tt := range tests {
		if got := notify.ErrorClass(tt.err); got != tt.want {
			t.Errorf("ErrorClass(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
