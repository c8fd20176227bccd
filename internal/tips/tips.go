// Package tips keeps the anonymous tips sent from the public portal
// (/help/tip) and their triage queue for the police THB unit and the
// coordinator.
//
// A tip is stored with nothing about the request that brought it: no
// address, no header, no time finer than the second it was written. Its
// texts are sealed with a data key of its own. The tipster is shown a random
// tip code once; only its SHA-256 is stored, and with it the tipster may add
// information later without an account. Adding with a wrong code answers
// exactly as with a right one (no oracle).
package tips

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// State is where a tip is in the triage.
type State string

// The states of a tip.
const (
	New           State = "new"
	Checking      State = "checking"
	Linked        State = "linked"        // linked to a case, by its reference
	Investigation State = "investigation" // passed to an investigation
	Closed        State = "closed"        // with a reason
)

// States lists every state in the order of the queue's filter.
var States = []State{New, Checking, Linked, Investigation, Closed}

// CloseReasons are why a tip is closed.
var CloseReasons = []string{"not_credible", "duplicate", "too_little_information", "outside_mandate", "spam", "resolved"}

// Limits of a tip's fields, in characters.
const (
	MaxWhat    = 5000
	MaxWhere   = 500
	MaxWhen    = 200
	MaxContact = 300
	MaxAdd     = 5000
)

// CaseFinder is what tips need from the case file to link a tip to a case by
// its reference (cases.Service.FindCases: the actor's scope applies).
type CaseFinder interface {
	FindCases(ctx context.Context, actor access.Actor, f cases.CaseFilter) ([]*cases.Summary, int, error)
}

// Service receives tips and runs the triage queue.
type Service struct {
	DB    *store.DB
	Vault *vault.Vault
	Clock clock.Clock
	Cases CaseFinder
}

// Input is what a tipster writes. Everything but What is optional.
type Input struct {
	What, Where, When, Contact string
	Municipality               string // a code of Municipalities, or empty
	Lang                       string // the portal language the tip was written in
}

// Validate trims and checks the fields; errors name the field.
func (in *Input) Validate() error {
	if err := text("what", &in.What, MaxWhat, true); err != nil {
		return err
	}
	if err := text("where", &in.Where, MaxWhere, false); err != nil {
		return err
	}
	if err := text("when", &in.When, MaxWhen, false); err != nil {
		return err
	}
	if err := text("contact", &in.Contact, MaxContact, false); err != nil {
		return err
	}
	in.Municipality = strings.TrimSpace(in.Municipality)
	if in.Municipality != "" && !IsMunicipality(in.Municipality) {
		return errs.InvalidField("municipality", "validation.invalid_choice")
	}
	if len(in.Lang) > 10 {
		in.Lang = ""
	}
	return nil
}

func text(field string, s *string, max int, required bool) error {
	*s = strings.TrimSpace(strings.ReplaceAll(*s, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(*s) || strings.ContainsRune(*s, 0):
		return errs.InvalidField(field, "validation.invalid")
	case *s == "" && required:
		return errs.InvalidField(field, "validation.required")
	case utf8.RuneCountInString(*s) > max:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": max})
	}
	for _, r := range *s {
		if r < 0x20 && r != '\n' && r != '\t' {
			return errs.InvalidField(field, "validation.invalid")
		}
	}
	return nil
}

// codeAlphabet has no letters or digits that read alike (0/O, 1/I/L, 5/S, 2/Z, 8/B).
const codeAlphabet = "ACDEFGHJKMNPQRTUVWXY34679"

// codeLen characters of 25 symbols: 16 × log2(25) ≈ 74 bits.
const codeLen = 16

// NewCode returns a random tip code, shown as four groups of four.
func NewCode() string {
	b := make([]byte, codeLen)
	rnd := make([]byte, codeLen*2)
	rand.Read(rnd)
	n := 0
	for i := 0; n < codeLen; i++ {
		if i == len(rnd) {
			rand.Read(rnd)
			i = 0
		}
		if v := rnd[i]; v < 250 { // 250 = 10 × 25: no modulo bias
			b[n] = codeAlphabet[int(v)%len(codeAlphabet)]
			n++
		}
	}
	s := string(b)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// NormaliseCode upper-cases a typed code and drops spaces and dashes; ok is
// false when it cannot be a code.
func NormaliseCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
		case strings.ContainsRune(codeAlphabet, r):
			b.WriteRune(r)
		default:
			return "", false
		}
		if b.Len() > codeLen {
			return "", false
		}
	}
	return b.String(), b.Len() == codeLen
}

func codeHash(normalised string) string {
	h := sha256.Sum256([]byte("ura tip code\x00" + normalised))
	return hex.EncodeToString(h[:])
}

func aad(id, field string) vault.AAD { return vault.AAD{Table: "tips", Row: id, Field: field} }

// Submit stores a tip and returns its code. The tip is committed before
// Submit returns: the thank-you page is shown only for a durable tip.
func (s *Service) Submit(ctx context.Context, in Input) (code string, err error) {
	if err := in.Validate(); err != nil {
		return "", err
	}
	now := s.Clock.Now().UTC().Truncate(time.Second)
	code = NewCode()
	norm, _ := NormaliseCode(code)
	id := store.NewID()
	err = s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		keyID, err := s.Vault.NewDataKey(ctx, tx, "tip")
		if err != nil {
			return errs.Internalf("tip key: %w", err)
		}
		seal := func(field, v string) ([]byte, error) {
			if v == "" && field != "what" {
				return nil, nil
			}
			return s.Vault.SealString(ctx, tx, keyID, aad(id, field), v)
		}
		var enc [4][]byte
		for i, f := range []struct{ name, v string }{{"what", in.What}, {"where", in.Where}, {"when", in.When}, {"contact", in.Contact}} {
			if enc[i], err = seal(f.name, f.v); err != nil {
				return errs.Internalf("seal tip: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tips (id, code_hash, key_id, state, municipality, lang, what_enc, where_enc,
			when_enc, contact_enc, created_at, updated_at) VALUES ($1, $2, $3, 'new', $4, $5, $6, $7, $8, $9, $10, $10)`,
			id, codeHash(norm), keyID, in.Municipality, in.Lang, enc[0], enc[1], enc[2], enc[3], store.T(now)); err != nil {
			return errs.Internalf("insert tip: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.Actor{}, Action: "tip.receive",
			ObjectType: "tip", ObjectID: id})
		if err != nil {
			return errs.Internalf("audit tip: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", errs.As(err)
	}
	return code, nil
}

// AddInfo appends what a tipster adds with their code. It answers the same
// whether or not the code names a tip (no oracle): a wrong code's text is
// dropped. Only a malformed body is an error.
func (s *Service) AddInfo(ctx context.Context, code, body string) error {
	if err := text("body", &body, MaxAdd, true); err != nil {
		return err
	}
	norm, ok := NormaliseCode(code)
	if !ok {
		norm = "" // still hashed and looked up below, so a malformed code costs what a wrong one does
	}
	now := s.Clock.Now().UTC().Truncate(time.Second)
	err := s.DB.InTx(ctx, now, func(tx *store.Tx) error {
		var id, keyID, state string
		err := tx.QueryRowContext(ctx, `SELECT id, key_id, state FROM tips WHERE code_hash = $1`, codeHash(norm)).Scan(&id, &keyID, &state)
		if errors.Is(err, sql.ErrNoRows) || !ok {
			return nil
		}
		if err != nil {
			return errs.Internalf("find tip: %w", err)
		}
		addID := store.NewID()
		enc, err := s.Vault.SealString(ctx, tx, keyID, vault.AAD{Table: "tip_additions", Row: addID, Field: "body"}, body)
		if err != nil {
			return errs.Internalf("seal addition: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tip_additions (id, tip_id, body_enc, created_at) VALUES ($1, $2, $3, $4)`,
			addID, id, enc, store.T(now)); err != nil {
			return errs.Internalf("insert addition: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tips SET additions = additions + 1, updated_at = $2 WHERE id = $1`, id, store.T(now)); err != nil {
			return errs.Internalf("count addition: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.Actor{}, Action: "tip.add_info",
			ObjectType: "tip", ObjectID: id})
		return err
	})
	if err != nil {
		return errs.As(err)
	}
	return nil
}

// Tip is a tip as the queue shows it.
type Tip struct {
	ID           string
	State        State
	Municipality string
	Lang         string
	What         string
	Where        string
	When         string
	Contact      string
	CaseRef      string
	CloseReason  string
	Additions    []Addition
	AddedCount   int
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Addition is what a tipster added later.
type Addition struct {
	Body      string
	CreatedAt time.Time
}

func valid(st State) bool {
	for _, s := range States {
		if s == st {
			return true
		}
	}
	return false
}

func validReason(r string) bool {
	for _, x := range CloseReasons {
		if x == r {
			return true
		}
	}
	return false
}
