// Package audit keeps Ura's append-only audit trail: every read of personal
// data and every change becomes an Event in a hash chain (each event's hash
// covers the previous hash), and signed checkpoints of the chain head make an
// edited, reordered or truncated trail detectable by Verify.
//
// An event says who did what to which object and why, in codes and ids only:
// Append refuses values that look like free text, so no name, address or note
// can reach the trail (which is kept far longer than the data it audits).
package audit

import (
	"errors"
	"fmt"
	"time"

	"github.com/ura-nrm/ura/internal/access"
)

// Actor is who acted: a user id, their organisation and the role they acted in.
// UserID is empty when nobody is signed in (for example a failed sign-in for an
// unknown account).
type Actor struct{ UserID, OrgID, Role string }

// Event is one audited action. Seq and At are set by Append; the other fields
// are codes and ids, never personal values.
type Event struct {
	Seq   int64
	At    time.Time
	Actor Actor
	// Action is a dotted verb such as "case.read" or "auth.signin_failed".
	Action string
	// ObjectType and ObjectID name the object acted on ("case", "XK-2026-0042").
	ObjectType, ObjectID string
	// Outcome is OutcomeOK (the default), OutcomeDenied or OutcomeFailed.
	Outcome string
	// Purpose says why, as a code (for example "break_glass:<id>").
	Purpose string
	// Detail is short machine text: codes and ids.
	Detail    string
	RequestID string
}

// The outcomes.
const (
	OutcomeOK     = "ok"
	OutcomeDenied = "denied"
	OutcomeFailed = "failed"
)

// ErrInvalidEvent is returned (wrapped) by Append and AppendNow for an event that
// breaks the rules below. It is a programming error in the caller: the message
// names the field and the rule, never the value, which might be personal.
var ErrInvalidEvent = errors.New("audit: invalid event")

// Limits on field lengths, in bytes. Codes and ids fit easily; a sentence or a
// pasted note does not.
const (
	maxAction   = 64
	maxType     = 32
	maxID       = 128
	maxPurpose  = 128
	maxDetail   = 256
	maxActorID  = 64
	maxRole     = 32
	maxRequest  = 64
	maxDotParts = 4
)

// normalize checks e and fills the default outcome. Action and ObjectType are
// lower-case dotted names; every other field is a code: ASCII letters, digits
// and ._-:/=,;{}$ only (the braces and dollar for route patterns). No spaces (free text), no '@' (e-mail addresses), no
// letters outside ASCII (names in Albanian, Serbian or Cyrillic script).
func normalize(e *Event) error {
	if e.Outcome == "" {
		e.Outcome = OutcomeOK
	}
	switch e.Outcome {
	case OutcomeOK, OutcomeDenied, OutcomeFailed:
	default:
		return invalid("Outcome", "must be ok, denied or failed")
	}
	if e.Action == "" {
		return invalid("Action", "is required")
	}
	if err := checkName("Action", e.Action, maxAction, true); err != nil {
		return err
	}
	if err := checkName("ObjectType", e.ObjectType, maxType, false); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"Actor.UserID", e.Actor.UserID, maxActorID},
		{"Actor.OrgID", e.Actor.OrgID, maxActorID},
		{"Actor.Role", e.Actor.Role, maxRole},
		{"ObjectID", e.ObjectID, maxID},
		{"Purpose", e.Purpose, maxPurpose},
		{"Detail", e.Detail, maxDetail},
		{"RequestID", e.RequestID, maxRequest},
	} {
		if err := checkCode(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

// checkName accepts lower-case segments of [a-z0-9_] starting with a letter,
// joined by dots; dotted requires at least two segments ("case.read").
func checkName(field, s string, max int, dotted bool) error {
	if len(s) > max {
		return invalid(field, fmt.Sprintf("is longer than %d bytes", max))
	}
	if s == "" {
		return nil
	}
	parts, start := 1, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if start {
				return invalid(field, fmt.Sprintf("has an empty segment at byte %d", i))
			}
			parts++
			start = true
			continue
		case c >= 'a' && c <= 'z':
		case (c >= '0' && c <= '9' || c == '_') && !start:
		default:
			return invalid(field, fmt.Sprintf("has a character outside [a-z0-9_.] (or a segment not starting with a letter) at byte %d", i))
		}
		start = false
	}
	if start {
		return invalid(field, "ends with a dot")
	}
	if dotted && parts < 2 {
		return invalid(field, `must be a dotted verb such as "case.read"`)
	}
	if parts > maxDotParts {
		return invalid(field, fmt.Sprintf("has more than %d segments", maxDotParts))
	}
	return nil
}

// checkCode accepts ASCII letters, digits and ._-:/=,;{}$ up to max bytes.
func checkCode(field, s string, max int) error {
	if len(s) > max {
		return invalid(field, fmt.Sprintf("is longer than %d bytes", max))
	}
	for i := 0; i < len(s); i++ {
		if !codeByte[s[i]] {
			return invalid(field, fmt.Sprintf("has a character outside [A-Za-z0-9._-:/=,;{}$] at byte %d (codes and ids only, never free text)", i))
		}
	}
	return nil
}

var codeByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "._-:/=,;{}$" {
		t[c] = true
	}
	return t
}()

func invalid(field, rule string) error {
	return fmt.Errorf("%w: %s %s", ErrInvalidEvent, field, rule)
}

// ActorFrom turns the acting user of a capability into an audit actor. Ura's
// own jobs and the operator's command line are recorded as "system".
func ActorFrom(a access.Actor) Actor {
	if a.System {
		return Actor{UserID: "system", Role: "system"}
	}
	return Actor{UserID: a.UserID, OrgID: a.OrgID, Role: string(a.Role)}
}
