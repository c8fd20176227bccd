package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"github.com/ura-nrm/ura/internal/access"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/linkage/synth"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

const testPassword = "correct horse battery staple 42"

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestUserAddTokenCreateAndMe(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			_, _, sargs := storeArgs(t, e)
			mustUra(t, "", append([]string{"migrate"}, sargs...)...)
			mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", "officer@example.invalid", "--name", "Test Officer",
				"--role", "police", "--org", "Test Police Unit"}, sargs...)...)
			out := mustUra(t, "", append([]string{"token", "create", "--email", "officer@example.invalid"}, sargs...)...)
			token := lastLine(out)
			if !strings.HasPrefix(token, "ura_") {
				t.Fatalf("last line %q is not a token", token)
			}
			in := serve(t, sargs)
			req, _ := http.NewRequest("GET", in.URL+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("GET /api/v1/me = %d %s", res.StatusCode, body)
			}
			var me struct {
				Email, Name, Role string
				Organisation      struct{ Name string }
			}
			if err := json.Unmarshal([]byte(body), &me); err != nil {
				t.Fatal(err)
			}
			if me.Email != "officer@example.invalid" || me.Name != "Test Officer" || me.Role != "police" || me.Organisation.Name != "Test Police Unit" {
				t.Errorf("me = %+v", me)
			}
			// A second user in the same organisation does not create it again.
			mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", "second@example.invalid", "--name", "Second Officer",
				"--role", "police", "--org", "Test Police Unit"}, sargs...)...)
		})
	}
}

// TestUserAddWaitsOnceACoordinatorExists: `ura user add` creates the first
// accounts directly (bootstrap); once a coordinator exists, a role that sees
// personal data is created closed and waits for approval, and says so.
func TestUserAddWaitsOnceACoordinatorExists(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	mustUra(t, "", append([]string{"migrate"}, sargs...)...)
	add := func(email, role, org string) string {
		return mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", email, "--name", "Some One",
			"--role", role, "--org", org}, sargs...)...)
	}
	if out := add("first@example.invalid", "police", "Unit"); strings.Contains(out, "approval") {
		t.Errorf("bootstrap account waits: %s", out)
	}
	if out := add("coord@example.invalid", "coordinator", "Office"); strings.Contains(out, "approval") {
		t.Errorf("first coordinator waits: %s", out)
	}
	if out := add("second@example.invalid", "police", "Unit"); !strings.Contains(out, "waits for approval by a coordinator") {
		t.Errorf("after a coordinator exists, user add says %q", out)
	}
	if out := add("analyst@example.invalid", "analyst", "Unit"); strings.Contains(out, "approval") {
		t.Errorf("an analyst waits: %s", out)
	}
}

func TestCommandErrors(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	mustUra(t, "", append([]string{"migrate"}, sargs...)...)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"UnknownCommand", "", []string{"fly"}, "unknown command"},
		{"UnknownRole", testPassword, []string{"user", "add", "--email", "a@example.invalid", "--name", "A", "--role", "pilot", "--org", "O"}, "--role"},
		{"NoPassword", "", []string{"user", "add", "--email", "a@example.invalid", "--name", "A", "--role", "police", "--org", "O"}, "password"},
		{"ShortPassword", "short\n", []string{"user", "add", "--email", "a@example.invalid", "--name", "A", "--role", "police", "--org", "O"}, "password"},
		{"TokenForNobody", "", []string{"token", "create", "--email", "nobody@example.invalid"}, "not_found"},
		{"BadDB", "", []string{"migrate", "--db", "mysql://x"}, "postgres://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.name != "UnknownCommand" && tt.name != "BadDB" {
				args = append(args, sargs...)
			}
			_, _, err := ura(t, tt.stdin, args...)
			if err == nil {
				t.Fatal("want an error")
			}
			line := oneLine(err)
			if !strings.Contains(line, tt.want) {
				t.Errorf("error %q does not mention %q", line, tt.want)
			}
			if strings.Contains(line, "a@example.invalid") || strings.Contains(line, testPassword) {
				t.Errorf("error %q repeats personal input", line)
			}
		})
	}
}

func TestDemoRefusedOnRealData(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	mustUra(t, "", append([]string{"migrate"}, sargs...)...)
	mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", "real@example.invalid", "--name", "Real Person",
		"--role", "admin", "--org", "Ministry"}, sargs...)...)
	_, _, err := ura(t, "", append([]string{"serve", "--demo", "--addr", "127.0.0.1:0"}, sargs...)...)
	if err == nil || !strings.Contains(err.Error(), "demo mode refused") {
		t.Fatalf("serve --demo on real data = %v, want refusal", err)
	}
}

// TestRawDatabaseHoldsNoPersonalValue opens the SQLite file (and its WAL)
// after a demo start and looks for every demo name and e-mail address.
func TestRawDatabaseHoldsNoPersonalValue(t *testing.T) {
	data, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	// One account a role (the civil-society monitor too), and a second
	// evaluator and provider (grants).
	if want := len(access.Roles) + 2; len(in.Creds) != want {
		t.Fatalf("demo printed %d accounts, want %d:\n%s", len(in.Creds), want, in.Out.String())
	}
	in.Stop(t)
	raw := rawStoreBytes(t, data)
	for role, c := range in.Creds {
		for _, v := range []string{c.Email, c.Password, c.Secret} {
			if v != "" && bytes.Contains(raw, []byte(v)) {
				t.Errorf("the raw database holds the %s account's %q", role, v)
			}
		}
	}
	for _, name := range []string{"Arta Demaj", "Besnik Hoxhaj", "Milica Jovanović", "Jelena Marković"} {
		if bytes.Contains(raw, []byte(name)) {
			t.Errorf("the raw database holds the name %q", name)
		}
	}
	// The demo cases' persons: names and birth dates, in any script.
	checked := 0
	for _, r := range synth.Generate(synth.Options{Families: demo.DemoCaseCount, Seed: 2026}) {
		for _, v := range []string{r.FamilyName, r.GivenName + " " + r.FamilyName, r.BirthDate} {
			if len([]rune(v)) >= 6 && bytes.Contains(raw, []byte(v)) {
				t.Errorf("the raw database holds a demo person's value %q", v)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no demo person checked")
	}
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			data, dbURL, sargs := storeArgs(t, e)
			mustUra(t, "", append([]string{"migrate"}, sargs...)...)
			for _, email := range []string{"a@example.invalid", "b@example.invalid", "c@example.invalid"} {
				mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", email, "--name", "Someone",
					"--role", "ngo", "--org", "NGO"}, sargs...)...)
			}
			out := mustUra(t, "", append([]string{"audit", "verify"}, sargs...)...)
			if !strings.Contains(out, "intact") {
				t.Fatalf("verify on a clean chain: %s", out)
			}
			db := openRaw(t, e, data, dbURL)
			if _, err := db.Exec(`UPDATE audit_events SET action = 'user.delete' WHERE seq = 2`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			_, _, err := ura(t, "", append([]string{"audit", "verify"}, sargs...)...)
			if err == nil || !strings.Contains(err.Error(), "event 2") {
				t.Errorf("verify after an edit = %v, want it to name event 2", err)
			}
			if exitCode(err) == 0 {
				t.Error("exit code 0 after tampering")
			}
		})
	}
}

func openRaw(t *testing.T, e store.Engine, data, url string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if e == store.Postgres {
		db, err = sql.Open("pgx", url)
	} else {
		db, err = sql.Open("sqlite", filepath.Join(data, store.DBFile))
	}
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			data, _, sargs := storeArgs(t, e)
			mustUra(t, "", append([]string{"migrate"}, sargs...)...)
			mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", "keep@example.invalid", "--name", "Kept User",
				"--role", "shelter", "--org", "Shelter"}, sargs...)...)
			file := filepath.Join(t.TempDir(), "ura.backup")
			mustUra(t, "", append([]string{"backup", "--out", file}, sargs...)...)
			if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("backup file: %v, mode %v", err, fi.Mode())
			}
			// Restore into a fresh store of the same engine, with the same key file.
			_, _, targs := storeArgs(t, e)
			key := filepath.Join(data, "master.key")
			targs = append(targs, "--data", t.TempDir())
			_ = key
			env := func(k string) string {
				if k == "URA_KEY_FILE" {
					return key
				}
				return ""
			}
			var out, errb bytes.Buffer
			if err := run(t.Context(), append([]string{"restore", "--in", file}, targs...), env, strings.NewReader(""), &out, &errb); err != nil {
				t.Fatalf("restore: %v %s", err, errb.String())
			}
			if err := run(t.Context(), append([]string{"audit", "verify"}, targs...), env, strings.NewReader(""), &out, &errb); err != nil {
				t.Fatalf("verify restored store: %v", err)
			}
			out.Reset()
			if err := run(t.Context(), append([]string{"token", "create", "--email", "keep@example.invalid"}, targs...), env, strings.NewReader(""), &out, &errb); err != nil {
				t.Fatalf("the restored store lost the user: %v", err)
			}
			// Restoring again into the now non-empty store is refused.
			if err := run(t.Context(), append([]string{"restore", "--in", file}, targs...), env, strings.NewReader(""), &out, &errb); err == nil {
				t.Error("restore into a non-empty store succeeded")
			}
		})
	}
}

func TestKeysRotateKeepsDataReadable(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			_, _, sargs := storeArgs(t, e)
			mustUra(t, "", append([]string{"migrate"}, sargs...)...)
			mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", "rot@example.invalid", "--name", "Rotated User",
				"--role", "advocate", "--org", "Advocacy"}, sargs...)...)
			out := mustUra(t, "", append([]string{"keys", "rotate"}, sargs...)...)
			if !strings.Contains(out, "rotated") {
				t.Fatalf("keys rotate: %s", out)
			}
			// The account's e-mail is sealed under a re-wrapped data key: finding
			// the user and signing a token still works, and the chain holds.
			mustUra(t, "", append([]string{"token", "create", "--email", "rot@example.invalid"}, sargs...)...)
			mustUra(t, "", append([]string{"audit", "verify"}, sargs...)...)
			in := serve(t, sargs)
			res, err := http.Get(in.URL + "/readyz")
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("readyz after rotation: %v", err)
			}
			res.Body.Close()
		})
	}
}

// TestServeRefusesForeignMasterKey: a node given a database but not its
// master key file (a new node on a shared PostgreSQL, a copied SQLite file)
// refuses to start, and leaves no new key behind to be picked up next time.
func TestServeRefusesForeignMasterKey(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			data, db, sargs := storeArgs(t, e)
			mustUra(t, "", append([]string{"demo"}, sargs...)...)
			other := t.TempDir()
			args := []string{"serve", "--addr", "127.0.0.1:0", "--data", other}
			if db != "" {
				args = append(args, "--db", db)
			} else {
				b, err := os.ReadFile(filepath.Join(data, store.DBFile))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(other, store.DBFile), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := ura(t, "", args...)
			if err == nil || !strings.Contains(err.Error(), "master key file does not open") {
				t.Fatalf("serve with another master key = %v, want a refusal", err)
			}
			if _, err := os.Stat(filepath.Join(other, "master.key")); !os.IsNotExist(err) {
				t.Errorf("a master key was left in the new data directory: %v", err)
			}
		})
	}
}
