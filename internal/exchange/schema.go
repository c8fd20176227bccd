package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/cases"
)

// Kind is the type of one body field.
type Kind string

// The field kinds.
const (
	KString  Kind = "string"  // one line, up to Max characters
	KText    Kind = "text"    // free text, up to Max characters
	KDate    Kind = "date"    // YYYY-MM-DD
	KEnum    Kind = "enum"    // one of Enum
	KEnums   Kind = "enums"   // a list of values of Enum
	KBool    Kind = "bool"    // true or false
	KInt     Kind = "int"     // a whole number between Min and Max
	KNumber  Kind = "number"  // a number between Min and Max
	KCountry Kind = "country" // ISO 3166-1 alpha-2, XK for Kosovo
	KObjects Kind = "objects" // a list of objects with Items, up to Max
)

// Field is one member of a message body.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	// Personal fields are personal data: they need consent or a legal basis.
	Personal bool
	Max      int
	Min      int
	Enum     []string
	Items    []Field
}

// MessageType is one procedure step's message: its schema and its rules.
type MessageType struct {
	Name    string
	Version int
	// Step is the USOP step (1–10) the message belongs to, 0 for none.
	Step int
	// Case messages belong to a case and carry its cross-border reference.
	Case bool
	// Answers names the type this one answers (reply_to must point to one).
	Answers string
	Fields  []Field
}

// Personal reports whether the type has personal fields.
func (m MessageType) Personal() bool {
	for _, f := range m.Fields {
		if f.Personal {
			return true
		}
	}
	return false
}

var (
	riskLevels = []string{"low", "medium", "high"}
	sexes      = []string{"female", "male", "other", "unknown"}
	// forms of exploitation are HTCDS vic_TypeOfExploitation codes, as the case file keeps them
	forms = cases.Picklists[cases.FieldExploitation]
)

// Types are the message types of schema version 1, by name.
var Types = map[string]MessageType{}

func init() {
	for _, m := range []MessageType{
		{Name: "note", Version: 1, Fields: []Field{{Name: "text", Kind: KText, Required: true, Max: 2000}}},
		{Name: "notification", Version: 1, Step: 1, Case: true, Fields: []Field{
			{Name: "given_name", Kind: KString, Personal: true, Max: 100},
			{Name: "family_name", Kind: KString, Personal: true, Max: 100},
			{Name: "birth_date", Kind: KDate, Personal: true},
			{Name: "sex", Kind: KEnum, Required: true, Enum: sexes},
			{Name: "citizenship", Kind: KCountry, Required: true},
			{Name: "child", Kind: KBool, Required: true},
			{Name: "status", Kind: KEnum, Required: true, Enum: []string{"possible", "presumed", "identified"}},
			{Name: "forms", Kind: KEnums, Enum: forms},
			{Name: "wishes_return", Kind: KEnum, Enum: []string{"yes", "no", "undecided"}},
			{Name: "urgency", Kind: KEnum, Required: true, Enum: []string{"normal", "urgent"}},
		}},
		{Name: "identity_request", Version: 1, Step: 2, Case: true, Fields: []Field{
			{Name: "given_name", Kind: KString, Required: true, Personal: true, Max: 100},
			{Name: "family_name", Kind: KString, Required: true, Personal: true, Max: 100},
			{Name: "birth_date", Kind: KDate, Personal: true},
			{Name: "birth_place", Kind: KString, Personal: true, Max: 100},
			{Name: "document_type", Kind: KEnum, Enum: []string{"none", "passport", "identity_card", "birth_certificate", "other"}},
			{Name: "document_number", Kind: KString, Personal: true, Max: 40},
			{Name: "parents", Kind: KString, Personal: true, Max: 200},
			{Name: "due_date", Kind: KDate, Required: true},
		}},
		{Name: "identity_reply", Version: 1, Step: 2, Case: true, Answers: "identity_request", Fields: []Field{
			{Name: "result", Kind: KEnum, Required: true, Enum: []string{"confirmed", "not_found", "mismatch"}},
			{Name: "citizenship", Kind: KCountry},
			{Name: "document_status", Kind: KEnum, Enum: []string{"valid", "expired", "none", "being_issued"}},
			{Name: "remarks", Kind: KText, Personal: true, Max: 2000},
		}},
		{Name: "assessment_request", Version: 1, Step: 3, Case: true, Fields: []Field{
			{Name: "family", Kind: KBool, Required: true},
			{Name: "risk", Kind: KBool, Required: true},
			{Name: "questions", Kind: KText, Personal: true, Max: 4000},
			{Name: "due_date", Kind: KDate, Required: true},
		}},
		{Name: "assessment_report", Version: 1, Step: 4, Case: true, Answers: "assessment_request", Fields: []Field{
			{Name: "family_result", Kind: KEnum, Enum: []string{"suitable", "suitable_with_support", "unsuitable", "not_assessed"}},
			{Name: "risk_level", Kind: KEnum, Required: true, Enum: riskLevels},
			{Name: "trafficker_at_large", Kind: KBool},
			{Name: "family_involved", Kind: KBool},
			{Name: "findings", Kind: KText, Personal: true, Max: 4000},
		}},
		{Name: "best_interest", Version: 1, Step: 4, Case: true, Fields: []Field{
			{Name: "decided_on", Kind: KDate, Required: true},
			{Name: "decision", Kind: KEnum, Required: true, Enum: []string{"return", "no_return"}},
			{Name: "grounds", Kind: KText, Personal: true, Max: 4000},
		}},
		{Name: "guardian_agreement", Version: 1, Step: 5, Case: true, Fields: []Field{
			{Name: "agreed", Kind: KBool, Required: true},
			{Name: "recorded_on", Kind: KDate, Required: true},
		}},
		{Name: "return_plan", Version: 1, Step: 5, Case: true, Fields: []Field{
			{Name: "travel_documents", Kind: KEnum, Required: true, Enum: []string{"requested", "issued", "not_needed"}},
			{Name: "escort", Kind: KString, Required: true, Personal: true, Max: 200},
			{Name: "date", Kind: KDate, Required: true},
			{Name: "crossing", Kind: KString, Required: true, Max: 100},
			{Name: "receiving_organisation", Kind: KString, Required: true, Max: 200},
			{Name: "reintegration", Kind: KText, Personal: true, Max: 4000},
		}},
		{Name: "return_plan_answer", Version: 1, Step: 5, Case: true, Answers: "return_plan", Fields: []Field{
			{Name: "agreed", Kind: KBool, Required: true},
			{Name: "remarks", Kind: KText, Max: 2000},
		}},
		{Name: "handover", Version: 1, Step: 8, Case: true, Fields: []Field{
			{Name: "handed_over_on", Kind: KDate, Required: true},
			{Name: "place", Kind: KString, Required: true, Max: 100},
			{Name: "received_by", Kind: KString, Required: true, Max: 200},
		}},
		{Name: "monitoring_report", Version: 1, Step: 9, Case: true, Fields: []Field{
			{Name: "months", Kind: KInt, Required: true, Min: 1, Max: 24},
			{Name: "risk_level", Kind: KEnum, Required: true, Enum: riskLevels},
			{Name: "situation", Kind: KEnum, Required: true, Enum: []string{"stable", "at_risk", "re_trafficked", "lost_contact"}},
			{Name: "summary", Kind: KText, Personal: true, Max: 4000},
		}},
		{Name: "closure", Version: 1, Step: 10, Case: true, Fields: []Field{
			{Name: "reason", Kind: KEnum, Required: true, Enum: []string{"reintegrated", "moved_abroad", "lost_contact", "declined_assistance", "other"}},
		}},
		{Name: "person_query", Version: 1, Fields: []Field{
			{Name: "persons", Kind: KObjects, Required: true, Min: 1, Max: 20, Items: []Field{
				{Name: "ref", Kind: KString, Required: true, Max: 20},
				{Name: "clk", Kind: KString, Required: true, Max: 400},
			}},
		}},
		{Name: "person_answer", Version: 1, Answers: "person_query", Fields: []Field{
			{Name: "candidates", Kind: KObjects, Required: true, Max: 200, Items: []Field{
				{Name: "ref", Kind: KString, Required: true, Max: 20},
				{Name: "xref", Kind: KString, Required: true, Max: 60},
				{Name: "score", Kind: KNumber, Required: true, Min: 0, Max: 1},
			}},
		}},
		// The regional picture: a country's protected aggregate table of a
		// year (picture.go). Counts only, protected before sending; the
		// countries are ISO 3166 codes, ZZ for not known.
		{Name: "regional_table", Version: 1, Fields: []Field{
			{Name: "year", Kind: KInt, Required: true, Min: 2000, Max: 2100},
			{Name: "protection", Kind: KEnum, Required: true, Enum: []string{"suppression", "dp"}},
			{Name: "k", Kind: KInt, Min: 2, Max: 1000},
			{Name: "epsilon", Kind: KNumber, Min: 0, Max: 10},
			{Name: "rows", Kind: KObjects, Required: true, Min: 0, Max: 5000, Items: []Field{
				{Name: "citizenship", Kind: KCountry, Required: true},
				{Name: "form", Kind: KEnum, Required: true, Enum: append(append([]string(nil), forms...), "none")},
				{Name: "country_of_exploitation", Kind: KCountry, Required: true},
				{Name: "count", Kind: KInt, Min: 0, Max: 1000000},
				{Name: "suppressed", Kind: KBool},
			}},
		}},
	} {
		Types[m.Name] = m
	}
}

// TypeNames lists the message types in order of their USOP step.
func TypeNames() []string {
	var out []string
	for n := range Types {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := Types[out[i]], Types[out[j]]
		if a.Step != b.Step {
			return a.Step < b.Step
		}
		return a.Name < b.Name
	})
	return out
}

// SchemaError names the field that broke the schema and the rule.
type SchemaError struct{ Field, Rule string }

func (e *SchemaError) Error() string { return fmt.Sprintf("schema: %s: %s", e.Field, e.Rule) }

var (
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	countryCC = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Validate checks a body (a JSON object) against the type's schema: every
// member known, every required member present, every value of its kind.
// It returns the body re-encoded with sorted keys (what is sent).
func (m MessageType) Validate(body []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil || v == nil {
		return nil, &SchemaError{Field: "body", Rule: "not_object"}
	}
	if d.More() {
		return nil, &SchemaError{Field: "body", Rule: "not_object"}
	}
	if err := checkObject("", m.Fields, v); err != nil {
		return nil, err
	}
	return v, nil
}

func checkObject(prefix string, fields []Field, v map[string]any) error {
	known := map[string]Field{}
	for _, f := range fields {
		known[f.Name] = f
	}
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if _, ok := known[k]; !ok {
			return &SchemaError{Field: prefix + k, Rule: "unknown"}
		}
	}
	for _, f := range fields {
		x, ok := v[f.Name]
		if !ok || x == nil {
			if f.Required {
				return &SchemaError{Field: prefix + f.Name, Rule: "required"}
			}
			delete(v, f.Name)
			continue
		}
		if err := checkValue(prefix+f.Name, f, x); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(name string, f Field, x any) error {
	bad := func(rule string) error { return &SchemaError{Field: name, Rule: rule} }
	switch f.Kind {
	case KString, KText:
		s, ok := x.(string)
		if !ok || !utf8.ValidString(s) {
			return bad("not_text")
		}
		if f.Required && s == "" {
			return bad("required")
		}
		if utf8.RuneCountInString(s) > f.Max {
			return bad("too_long")
		}
		if f.Kind == KString && (bytes.ContainsAny([]byte(s), "\r\n\t")) {
			return bad("one_line")
		}
	case KDate:
		s, ok := x.(string)
		if !ok || !dateRE.MatchString(s) {
			return bad("not_date")
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return bad("not_date")
		}
	case KEnum:
		s, ok := x.(string)
		if !ok || !slices.Contains(f.Enum, s) {
			return bad("not_choice")
		}
	case KEnums:
		l, ok := x.([]any)
		if !ok || len(l) > len(f.Enum) {
			return bad("not_choices")
		}
		for _, e := range l {
			s, ok := e.(string)
			if !ok || !slices.Contains(f.Enum, s) {
				return bad("not_choice")
			}
		}
	case KBool:
		if _, ok := x.(bool); !ok {
			return bad("not_bool")
		}
	case KInt, KNumber:
		n, ok := x.(json.Number)
		if !ok {
			return bad("not_number")
		}
		fv, err := n.Float64()
		if err != nil || math.IsNaN(fv) || fv < float64(f.Min) || fv > float64(f.Max) {
			return bad("out_of_range")
		}
		if f.Kind == KInt {
			if _, err := n.Int64(); err != nil {
				return bad("not_whole")
			}
		}
	case KCountry:
		s, ok := x.(string)
		if !ok || !countryCC.MatchString(s) {
			return bad("not_country")
		}
	case KObjects:
		l, ok := x.([]any)
		if !ok {
			return bad("not_list")
		}
		if len(l) > f.Max {
			return bad("too_many")
		}
		if len(l) < f.Min {
			return bad("required")
		}
		for i, e := range l {
			o, ok := e.(map[string]any)
			if !ok {
				return bad("not_object")
			}
			if err := checkObject(fmt.Sprintf("%s.%d.", name, i), f.Items, o); err != nil {
				return err
			}
		}
	default:
		return bad("unknown_kind")
	}
	return nil
}

// JSONSchema renders the type's schema as a JSON Schema (2020-12) document,
// the contract partners validate against.
func (m MessageType) JSONSchema() map[string]any {
	return map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  fmt.Sprintf("urn:ura:exchange:%s:v%d", m.Name, m.Version),
		"title":                m.Name,
		"type":                 "object",
		"properties":           props(m.Fields),
		"required":             required(m.Fields),
		"additionalProperties": false,
	}
}

func required(fs []Field) []string {
	out := []string{}
	for _, f := range fs {
		if f.Required {
			out = append(out, f.Name)
		}
	}
	return out
}

func props(fs []Field) map[string]any {
	p := map[string]any{}
	for _, f := range fs {
		var s map[string]any
		switch f.Kind {
		case KString, KText:
			s = map[string]any{"type": "string", "maxLength": f.Max}
		case KDate:
			s = map[string]any{"type": "string", "format": "date"}
		case KEnum:
			s = map[string]any{"enum": f.Enum}
		case KEnums:
			s = map[string]any{"type": "array", "items": map[string]any{"enum": f.Enum}, "uniqueItems": true}
		case KBool:
			s = map[string]any{"type": "boolean"}
		case KInt:
			s = map[string]any{"type": "integer", "minimum": f.Min, "maximum": f.Max}
		case KNumber:
			s = map[string]any{"type": "number", "minimum": f.Min, "maximum": f.Max}
		case KCountry:
			s = map[string]any{"type": "string", "pattern": "^[A-Z]{2}$"}
		case KObjects:
			s = map[string]any{"type": "array", "maxItems": f.Max, "items": map[string]any{"type": "object",
				"properties": props(f.Items), "required": required(f.Items), "additionalProperties": false}}
		}
		if f.Personal {
			s["x-personal"] = true
		}
		p[f.Name] = s
	}
	return p
}

// AnswerType is the type that answers a request of type t ("" for none).
func AnswerType(t string) string { return requestTypes[t] }

// FormType reports whether the pages' guided form can fill in type t: the
// types with lists of objects (the person query, the regional table) are
// made by their own procedures.
func FormType(t string) bool {
	mt, ok := Types[t]
	if !ok {
		return false
	}
	for _, f := range mt.Fields {
		if f.Kind == KObjects {
			return false
		}
	}
	return true
}
