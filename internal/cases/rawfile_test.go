package cases_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestNoPersonalValueOnDisk registers cases and then reads the raw SQLite
// file and its write-ahead log as bytes: no name, birth date, document
// number, contact or narrative of any case may be found there, in any of
// the encodings SQLite could store text in.
func TestNoPersonalValueOnDisk(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	f := newFixture(t, db)
	ctx := context.Background()
	secrets := []string{"Zymryte", "Qerimaj", "1993-07-19", "AB1234567", "+38344123456", "Vushtrria-Sekret", "Ђурђина", "Љубичић", "2004-11-23"}
	in := adult("Zymryte", "Qerimaj", "1993-07-19")
	in.Person.Documents = []cases.Document{{Type: "passport", Number: "AB1234567", Country: "XK"}}
	in.Person.Contacts = []cases.Contact{{Type: "phone", Value: "+38344123456"}}
	in.Details.RecruitmentPlace = "Vushtrria-Sekret"
	f.mustOpen(t, police, in)
	f.mustOpen(t, ngo, adult("Ђурђина", "Љубичић", "2004-11-23"))
	if _, _, err := f.s.FindCases(ctx, police, filterName("Zymryte Qerimaj")); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(db.Path + suffix)
		if err != nil && suffix == "" {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	if len(raw) < 4096 {
		t.Fatalf("read only %d bytes", len(raw))
	}
	lower := bytes.ToLower(raw)
	for _, s := range secrets {
		for _, form := range []string{s, strings.ToLower(s), strings.ToUpper(s)} {
			if bytes.Contains(raw, []byte(form)) || bytes.Contains(lower, []byte(strings.ToLower(form))) {
				t.Errorf("the database file holds a personal value (%d bytes)", len(s))
			}
		}
	}
}

func filterName(n string) cases.CaseFilter { return cases.CaseFilter{Name: &n} }
