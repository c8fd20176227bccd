package gbv

import (
	"io"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/jsonread"
)

// Type is a GBVIMS incident type (DOMAIN.md §5.3).
type Type string

// The six core types, in the order the rule checks them, and non-GBV.
const (
	Rape               Type = "rape"
	SexualAssault      Type = "sexual_assault"
	PhysicalAssault    Type = "physical_assault"
	ForcedMarriage     Type = "forced_marriage"
	DenialOfResources  Type = "denial_of_resources"
	PsychologicalAbuse Type = "psychological_abuse"
	NonGBV             Type = "non_gbv"
)

// Types lists every type: the six core types in the rule's order, then non-GBV.
var Types = []Type{Rape, SexualAssault, PhysicalAssault, ForcedMarriage, DenialOfResources, PsychologicalAbuse, NonGBV}

// Answers are the six questions of the GBVIMS classification tool, one per
// core type. Its JSON form is the body of POST /api/v1/gbv/classify (a
// stable contract).
type Answers struct {
	Penetration        bool `json:"penetration"`
	SexualContact      bool `json:"sexual_contact"`
	PhysicalAssault    bool `json:"physical_assault"`
	ForcedMarriage     bool `json:"forced_marriage"`
	DenialOfResources  bool `json:"denial_of_resources"`
	PsychologicalAbuse bool `json:"psychological_abuse"`
}

// steps are the rule: the answers checked in order, each with the type it gives.
var steps = []struct {
	t  Type
	on func(Answers) bool
}{
	{Rape, func(a Answers) bool { return a.Penetration }},
	{SexualAssault, func(a Answers) bool { return a.SexualContact }},
	{PhysicalAssault, func(a Answers) bool { return a.PhysicalAssault }},
	{ForcedMarriage, func(a Answers) bool { return a.ForcedMarriage }},
	{DenialOfResources, func(a Answers) bool { return a.DenialOfResources }},
	{PsychologicalAbuse, func(a Answers) bool { return a.PsychologicalAbuse }},
}

// Classify applies the GBVIMS rule: the six core types are checked in order
// and the first that applies wins; otherwise the incident is non-GBV. The
// type is for data only and never limits the services offered.
func Classify(a Answers) Type {
	for _, s := range steps {
		if s.on(a) {
			return s.t
		}
	}
	return NonGBV
}

// Explanation says why an incident has its type: the type, the answers that
// were yes (as types, in the rule's order) and which of them the rule
// passed over because an earlier one applied.
type Explanation struct {
	Type Type
	// Applies lists every core type whose answer was yes, in order; the
	// first is Type.
	Applies []Type
}

// Explain classifies and says why.
func Explain(a Answers) Explanation {
	e := Explanation{Type: NonGBV}
	for _, s := range steps {
		if s.on(a) {
			e.Applies = append(e.Applies, s.t)
		}
	}
	if len(e.Applies) > 0 {
		e.Type = e.Applies[0]
	}
	return e
}

// Also lists the types that also applied but come later in the rule.
func (e Explanation) Also() []Type {
	if len(e.Applies) < 2 {
		return nil
	}
	return e.Applies[1:]
}

// MaxBody bounds a JSON request body of the GBV API.
const MaxBody = 64 << 10

// DecodeAnswers reads a classify request strictly: one JSON object of the
// six answers, nothing else. Errors name a known field or "body" and never
// repeat the client's text.
func DecodeAnswers(r io.Reader) (Answers, error) {
	var a Answers
	err := decodeStrict(r, &a, answerFields)
	return a, err
}

var answerFields = map[string]bool{"penetration": true, "sexual_contact": true, "physical_assault": true,
	"forced_marriage": true, "denial_of_resources": true, "psychological_abuse": true}

func decodeStrict(r io.Reader, v any, known map[string]bool) error {
	err := jsonread.Read(r, v, jsonread.Options{Max: MaxBody, Object: true, FieldOK: func(f string) bool { return known[f] },
		Keys: jsonread.Keys{Invalid: "gbv.error.body", Type: "gbv.error.body", Unknown: "gbv.error.body"}})
	if e := errs.As(err); err != nil && e.Code == errs.Invalid && e.Field == "" {
		c := *e
		c.Field = "body"
		return &c
	}
	return err
}
