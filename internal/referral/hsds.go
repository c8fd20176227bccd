package referral

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// HSDS is an Open Referral Human Services Data Specification 3.0 list of
// services: the page that the HSDS API answers to GET /services?full=true,
// holding the whole directory in one page. Each service is fully nested:
// its organization, its service_at_locations with their location and
// addresses, phones, languages, schedules and attributes, every object with
// a UUID. Ura's service type travels as an attribute whose taxonomy term has
// the taxonomy TaxonomyType. Fields Ura does not keep are ignored on import.
type HSDS struct {
	TotalItems int           `json:"total_items"`
	TotalPages int           `json:"total_pages"`
	PageNumber int           `json:"page_number"`
	Size       int           `json:"size"`
	FirstPage  bool          `json:"first_page"`
	LastPage   bool          `json:"last_page"`
	Empty      bool          `json:"empty"`
	Contents   []HSDSService `json:"contents"`
}

// TaxonomyType names the taxonomy of Ura's service types in HSDS attributes.
const TaxonomyType = "ura:service_type"

// HSDSService is HSDS service (the fields Ura reads and writes).
type HSDSService struct {
	ID                 string                `json:"id"`
	OrganizationID     string                `json:"organization_id,omitempty"`
	Name               string                `json:"name"`
	Description        string                `json:"description,omitempty"`
	Email              string                `json:"email,omitempty"`
	Status             string                `json:"status"`
	MinimumAge         *float64              `json:"minimum_age,omitempty"`
	MaximumAge         *float64              `json:"maximum_age,omitempty"`
	Accreditations     string                `json:"accreditations,omitempty"`
	LastModified       string                `json:"last_modified,omitempty"`
	Organization       *HSDSOrganization     `json:"organization,omitempty"`
	ServiceAtLocations []HSDSServiceLocation `json:"service_at_locations,omitempty"`
	Languages          []HSDSLanguage        `json:"languages,omitempty"`
	Phones             []HSDSPhone           `json:"phones,omitempty"`
	Schedules          []HSDSSchedule        `json:"schedules,omitempty"`
	Attributes         []HSDSAttribute       `json:"attributes,omitempty"`
	line               int
}

// HSDSOrganization is HSDS organization (the fields Ura reads). The
// description is required by HSDS even when empty, hence the pointer: a
// file can be told to lack it.
type HSDSOrganization struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Email       string  `json:"email,omitempty"`
	Website     string  `json:"website,omitempty"`
}

// HSDSServiceLocation is HSDS service_at_location with its location inline.
type HSDSServiceLocation struct {
	ID         string        `json:"id"`
	ServiceID  string        `json:"service_id,omitempty"`
	LocationID string        `json:"location_id,omitempty"`
	Location   *HSDSLocation `json:"location,omitempty"`
}

// HSDSLocation is HSDS location with its addresses inline.
type HSDSLocation struct {
	ID           string        `json:"id"`
	LocationType string        `json:"location_type"`
	Name         string        `json:"name,omitempty"`
	Addresses    []HSDSAddress `json:"addresses,omitempty"`
}

// HSDSAddress is HSDS address. HSDS requires the state or province and the
// postal code to be present, empty or not.
type HSDSAddress struct {
	ID            string  `json:"id"`
	LocationID    string  `json:"location_id,omitempty"`
	Address1      string  `json:"address_1"`
	City          string  `json:"city"`
	StateProvince *string `json:"state_province"`
	PostalCode    *string `json:"postal_code"`
	Country       string  `json:"country"`
	AddressType   string  `json:"address_type"`
}

// HSDSLanguage is HSDS language.
type HSDSLanguage struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code"`
}

// HSDSPhone is HSDS phone.
type HSDSPhone struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Number    string `json:"number"`
}

// HSDSSchedule is HSDS schedule (its free-text description only).
type HSDSSchedule struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Description string `json:"description"`
}

// HSDSAttribute is HSDS attribute with its taxonomy term inline.
type HSDSAttribute struct {
	ID             string    `json:"id"`
	LinkID         string    `json:"link_id,omitempty"`
	LinkType       string    `json:"link_type,omitempty"`
	LinkEntity     string    `json:"link_entity,omitempty"`
	TaxonomyTermID string    `json:"taxonomy_term_id,omitempty"`
	TaxonomyTerm   *HSDSTerm `json:"taxonomy_term"`
}

// HSDSTerm is HSDS taxonomy_term.
type HSDSTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy"`
}

// ImportProblem is one fault of an HSDS file: the line of the offending
// value, the field, and a catalogue key. It never repeats the file's text.
type ImportProblem struct {
	Line  int    `json:"line"`
	Field string `json:"field,omitempty"`
	Code  string `json:"code"`
}

// ImportError rejects a whole file with all its problems (at most
// maxProblems, then the parse stops).
type ImportError struct{ Problems []ImportProblem }

func (e *ImportError) Error() string {
	return fmt.Sprintf("hsds: %d problems, first at line %d: %s", len(e.Problems), e.Problems[0].Line, e.Problems[0].Code)
}

const maxProblems = 100

// MaxImport caps an HSDS file.
const MaxImport = 8 << 20

// parser reads an HSDS file table by table and element by element, so
// every problem carries the line of the value at fault.
type parser struct {
	b        []byte
	dec      *json.Decoder
	problems []ImportProblem
}

func (p *parser) line(off int64) int {
	if off > int64(len(p.b)) {
		off = int64(len(p.b))
	}
	return bytes.Count(p.b[:max(0, off)], []byte("\n")) + 1
}

// start is the offset of the next value: past whitespace and separators.
func (p *parser) start() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.b)) && strings.IndexByte(" \t\r\n,:", p.b[off]) >= 0 {
		off++
	}
	return off
}

func (p *parser) add(line int, field, code string) {
	if len(p.problems) < maxProblems {
		p.problems = append(p.problems, ImportProblem{Line: line, Field: field, Code: code})
	}
}

// decodeErr records a decoding error at its own offset when it has one. A
// type error's offset counts from where its Decode call began (base).
func (p *parser) decodeErr(err error, at int64, table string, base ...int64) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		p.add(p.line(se.Offset), "", "directory.hsds_syntax")
	case errors.As(err, &te):
		field := table
		if te.Field != "" && safeField(te.Field) {
			field = table + "." + te.Field
		}
		off := te.Offset
		if len(base) > 0 {
			off += base[0]
		}
		p.add(p.line(off), field, "directory.hsds_type")
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		p.add(p.line(int64(len(p.b))), "", "directory.hsds_truncated")
	default:
		p.add(p.line(at), table, "directory.hsds_syntax")
	}
}

func safeField(f string) bool {
	if len(f) > 64 {
		return false
	}
	for _, c := range f {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// ParseHSDS reads an HSDS bundle and checks what it can without the
// database: shapes, required fields, codes, and references within the file.
// A malformed file returns an *ImportError listing every problem found.
func ParseHSDS(b []byte) (*HSDS, error) {
	p := &parser{b: b, dec: json.NewDecoder(bytes.NewReader(b))}
	h := &HSDS{}
	p.parse(h)
	if len(p.problems) == 0 {
		p.check(h)
	}
	if len(p.problems) > 0 {
		return nil, &ImportError{Problems: p.problems}
	}
	return h, nil
}

func (p *parser) parse(h *HSDS) {
	if len(p.b) > MaxImport {
		p.add(1, "", "directory.hsds_too_large")
		return
	}
	tok, err := p.dec.Token()
	if err != nil || tok != json.Delim('{') {
		p.add(p.line(p.start()), "", "directory.hsds_not_object")
		return
	}
	seen := map[string]bool{}
	for p.dec.More() {
		at := p.start()
		tok, err := p.dec.Token()
		if err != nil {
			p.decodeErr(err, at, "")
			return
		}
		key, _ := tok.(string)
		if seen[key] {
			p.add(p.line(at), "", "directory.hsds_duplicate_table")
			return
		}
		seen[key] = true
		var ok bool
		switch key {
		case "contents":
			ok = decodeTable(p, key, &h.Contents, func(v *HSDSService, l int) { v.line = l })
		default:
			var skip json.RawMessage
			at := p.start()
			if err := p.dec.Decode(&skip); err != nil {
				p.decodeErr(err, at, "")
				return
			}
			ok = true
		}
		if !ok || len(p.problems) >= maxProblems {
			return
		}
	}
	if _, err := p.dec.Token(); err != nil {
		p.decodeErr(err, p.start(), "")
		return
	}
	if _, err := p.dec.Token(); err != io.EOF {
		p.add(p.line(p.start()), "", "directory.hsds_trailing")
		return
	}
	if !seen["contents"] {
		// Not a page of services: an older bundle of tables, say.
		p.add(1, "contents", "directory.hsds_not_object")
	}
}

// decodeTable reads one table's array element by element, noting each
// element's line. A type error in one element is recorded and the next
// element read; a syntax error ends the parse.
func decodeTable[T any](p *parser, table string, out *[]T, setLine func(*T, int)) bool {
	at := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		p.decodeErr(err, at, table)
		return false
	}
	if tok != json.Delim('[') {
		p.add(p.line(at), table, "directory.hsds_not_array")
		return false
	}
	for p.dec.More() {
		base, at := p.dec.InputOffset(), p.start()
		var v T
		if err := p.dec.Decode(&v); err != nil {
			p.decodeErr(err, at, table, base)
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) || len(p.problems) >= maxProblems {
				return false
			}
			continue
		}
		setLine(&v, p.line(at))
		*out = append(*out, v)
	}
	if _, err := p.dec.Token(); err != nil {
		p.decodeErr(err, p.start(), table)
		return false
	}
	return true
}
