package identify

import (
	"io"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/jsonread"
)

// MaxBody bounds a JSON request body: the longest honest request (every
// indicator of a profile and a full note) is well under it.
const MaxBody = 32 << 10

// Request is the JSON body of POST /api/v1/screenings/assess; Record adds a note.
type Request struct {
	Profile        string   `json:"profile"`
	Indicators     []string `json:"indicators"`
	RecruitmentAct bool     `json:"recruitment_act"`
}

type recordRequest struct {
	Request
	Note string `json:"note"`
}

// DecodeAssess reads an assess request strictly: at most MaxBody bytes, one
// JSON object, no field it does not know. The profile and ids are checked by
// Assess. Errors name the field at fault (or "body") and never repeat input.
func DecodeAssess(r io.Reader) (Input, error) {
	var req Request
	if err := decodeStrict(r, &req); err != nil {
		return Input{}, err
	}
	return req.input(), nil
}

// DecodeRecord is DecodeAssess for POST /api/v1/screenings, which may also
// carry a note.
func DecodeRecord(r io.Reader) (RecordInput, error) {
	var req recordRequest
	if err := decodeStrict(r, &req); err != nil {
		return RecordInput{}, err
	}
	return RecordInput{Input: req.input(), Note: req.Note}, nil
}

func (req Request) input() Input {
	return Input{Profile: Profile(req.Profile), Indicators: req.Indicators, RecruitmentAct: req.RecruitmentAct}
}

// decodeStrict reads a screening request with the one strict reader
// (jsonread): an object, known members only; errors name a known field or
// the body, never the client's text.
func decodeStrict(r io.Reader, v any) error {
	err := jsonread.Read(r, v, jsonread.Options{Max: MaxBody, Object: true, FieldOK: func(f string) bool { return knownField[f] },
		Keys: jsonread.Keys{Invalid: "screening.error.body", Type: "screening.error.body", Unknown: "screening.error.body"}})
	if e := errs.As(err); err != nil && e.Code == errs.Invalid && e.Field == "" {
		c := *e
		c.Field = "body"
		return &c
	}
	return err
}

// knownField lists the request fields an error may name: only these, so a
// client's own field names are never echoed.
var knownField = map[string]bool{"profile": true, "indicators": true, "recruitment_act": true, "note": true}
