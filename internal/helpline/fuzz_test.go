package helpline_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/helpline"
)

// FuzzValidate feeds outside input to the contact form's checks: they never
// panic, refuse with a field named, and what they accept is on its lists,
// within its limits and valid text.
//
//	go test ./internal/helpline -run '^$' -fuzz FuzzValidate -fuzztime 30s
func FuzzValidate(f *testing.F) {
	f.Add("2026-05-04T09:00", 7, "phone", "anonymous", "sq", "Prizren", "migration.job_offer", "information", "", "a note", "blue-bird", false, "", "")
	f.Add("", 0, "chat", "possible_victim", "ar", "", "trafficking.sexual", "callback", "2026-05-04T12:00", "<script>", "x", true, "Name", "+383 44 1")
	f.Add("yesterday", -1, "fax", "=cmd", "xx", "Atlantis", "trafficking", "teleport", "2020-01-01T00:00", "\x00", " ", true, "", "abc")
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, started string, dur int, channel, caller, lang, mun, topic, action, due, note, code string,
		keep bool, name, phone string) {
		in := helpline.Input{StartedAt: started, DurationMin: dur, Channel: channel, CallerType: caller, Language: lang,
			Municipality: mun, Topic: topic, Actions: []string{action}, CallbackDue: due, Note: note, CallerCode: code,
			KeepPersonal: keep, CallerName: name, CallerPhone: phone}
		err := in.Validate(now, time.UTC)
		if err != nil {
			if e := errs.As(err); e.Code != errs.Invalid || e.Field == "" {
				t.Fatalf("refusal without a field: %v", err)
			}
			return
		}
		if _, _, ok := helpline.Topics.Topic(in.Topic); !ok {
			t.Fatalf("accepted topic %q", in.Topic)
		}
		for _, s := range []string{in.Note, in.CallerName, in.CallerPhone, in.CallerCode, in.Municipality} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("accepted invalid text %q", s)
			}
		}
		if utf8.RuneCountInString(in.Note) > helpline.MaxNote || in.DurationMin < 0 || in.DurationMin > helpline.MaxDuration {
			t.Fatal("accepted beyond the limits")
		}
		if (in.CallerName != "" || in.CallerPhone != "") && !in.KeepPersonal {
			t.Fatal("kept a name without the caller's agreement")
		}
	})
}
