package casenotes_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/clocks/fixture"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestNoteVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		ctx := context.Background()
		caseID, _ := env.Case(t, false)
		team, err := env.Notes.AddNote(ctx, fixture.Shelter, caseID, casenotes.NoteInput{Body: "Arrived at the shelter."})
		if err != nil {
			t.Fatal(err)
		}
		secret, err := env.Notes.AddNote(ctx, fixture.NGO, caseID, casenotes.NoteInput{Category: "psychological", Body: "Session 1."})
		if err != nil {
			t.Fatal(err)
		}
		if secret.Visibility != casenotes.Org {
			t.Errorf("psychological note visibility = %s, want org", secret.Visibility)
		}
		tests := []struct {
			name  string
			actor access.Actor
			want  int
			code  errs.Code // of reading the secret note alone
		}{
			{"Author", fixture.NGO, 2, ""},
			{"SameOrgOtherRole", fixture.NGOPsych, 1, errs.NotFound},
			{"OtherTeamOrg", fixture.Police, 1, errs.NotFound},
			{"Outsider", fixture.Outsider, -1, errs.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				notes, err := env.Notes.Notes(ctx, tt.actor, caseID)
				if tt.want < 0 {
					if !errs.Is(err, errs.NotFound) {
						t.Errorf("list: %v, want not found", err)
					}
				} else if err != nil || len(notes) != tt.want {
					t.Errorf("list: %d notes, %v; want %d", len(notes), err, tt.want)
				}
				_, err = env.Notes.Note(ctx, tt.actor, secret.ID)
				if got := errs.CodeOf(err); got != tt.code {
					t.Errorf("read secret note: %v, want %q", err, tt.code)
				}
			})
		}
		if n, err := env.Notes.Note(ctx, fixture.Advocate, team.ID); err != nil || n.Body != "Arrived at the shelter." {
			t.Errorf("team note read by the advocate: %+v, %v", n, err)
		}
		_, err = env.Notes.AddNote(ctx, fixture.NGO, caseID, casenotes.NoteInput{Category: "witness_protection", Visibility: casenotes.Team, Body: "x"})
		if got := errs.As(err).Field; got != "visibility" {
			t.Errorf("secret category shared with the team: %v, want refused on visibility", err)
		}
	})
}

func TestDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := fixture.New(t, db)
		env.Notes.MaxAttachment = 1 << 10
		ctx := context.Background()
		caseID, _ := env.Case(t, false)
		pdf := []byte("%PDF-1.7\n1 0 obj\n")
		d, err := env.Notes.AddDocument(ctx, fixture.Advocate, caseID, casenotes.DocumentInput{Name: `C:\scans\statement.pdf`, ClaimedType: "application/pdf", Data: pdf})
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "statement.pdf" || d.MediaType != casenotes.PDF {
			t.Errorf("stored as %q %q", d.Name, d.MediaType)
		}
		got, data, err := env.Notes.OpenDocument(ctx, fixture.Police, d.ID)
		if err != nil || !bytes.Equal(data, pdf) || got.Size != int64(len(pdf)) {
			t.Errorf("open: %v, %q", err, data)
		}
		refused := []struct {
			name string
			in   casenotes.DocumentInput
			code errs.Code
		}{
			{"TooLarge", casenotes.DocumentInput{Name: "a.txt", Data: bytes.Repeat([]byte("a"), 1<<10+1)}, errs.TooLarge},
			{"HTMLAsPDF", casenotes.DocumentInput{Name: "a.pdf", Data: []byte("<html><script>x</script>")}, errs.Invalid},
			{"SVGAsPNG", casenotes.DocumentInput{Name: "a.png", ClaimedType: "image/png", Data: []byte("<svg/>")}, errs.Invalid},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				_, err := env.Notes.AddDocument(ctx, fixture.Advocate, caseID, tt.in)
				if got := errs.CodeOf(err); got != tt.code {
					t.Errorf("%v, want %s", err, tt.code)
				}
			})
		}
		list, err := env.Notes.Documents(ctx, fixture.Advocate, caseID)
		if err != nil || len(list) != 1 {
			t.Errorf("after refusals: %d documents, %v; want 1 (nothing stored)", len(list), err)
		}
		if _, _, err := env.Notes.OpenDocument(ctx, fixture.Outsider, d.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("outsider: %v, want not found", err)
		}
	})
}

// TestRawFileHoldsNoText reads the SQLite file (and its WAL) byte by byte:
// no note text, file name, attachment content or consent detail may appear.
func TestRawFileHoldsNoText(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	env := fixture.New(t, db)
	ctx := context.Background()
	caseID, _ := env.Case(t, false)
	secrets := []string{"Zmarku threatened her sister", "Mirela-Passport-Scan", "Attachment body Kaçanik", "Consent given with aunt Vjollca present"}
	if _, err := env.Notes.AddNote(ctx, fixture.Advocate, caseID, casenotes.NoteInput{Body: secrets[0]}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Notes.AddDocument(ctx, fixture.Advocate, caseID, casenotes.DocumentInput{Name: secrets[1] + ".txt", Data: []byte(secrets[2])}); err != nil {
		t.Fatal(err)
	}
	in := consent.GrantInput{Scope: consent.ScopeCountry, Target: "AT", GivenBy: consent.ByPerson, Language: "sq", Remarks: secrets[3],
		Informed: consent.Informed{Purpose: true, DataUse: true, StorageDuration: true, AccessRight: true, Withdrawal: true}}
	if _, err := env.Consent.Record(ctx, fixture.Advocate, caseID, in); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(filepath.Clean(db.Path + suffix))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	if len(raw) == 0 {
		t.Fatal("empty database file")
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) || bytes.Contains(bytes.ToLower(raw), []byte(strings.ToLower(s))) {
			t.Errorf("the raw database holds %q", s)
		}
	}
}
