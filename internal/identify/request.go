package identify

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/ura-nrm/ura/internal/errs"
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

func decodeStrict(r io.Reader, v any) error {
	b, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errs.E(errs.TooLarge, "error.too_large")
		}
		return errs.InvalidField("body", "screening.error.body")
	}
	if len(b) > MaxBody {
		return errs.E(errs.TooLarge, "error.too_large")
	}
	if !bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{")) {
		return errs.InvalidField("body", "screening.error.body") // null, arrays, scalars
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && knownField[ute.Field] {
			return errs.InvalidField(ute.Field, "screening.error.body")
		}
		return errs.InvalidField("body", "screening.error.body")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.InvalidField("body", "screening.error.body")
	}
	return nil
}

// knownField lists the request fields an error may name: only these, so a
// client's own field names are never echoed.
var knownField = map[string]bool{"profile": true, "indicators": true, "recruitment_act": true, "note": true}
