// Package jsonread is Ura's one strict JSON reader for request bodies: one
// value, nothing after it, a size limit, and no member the target type does
// not declare. An unknown member is found by walking the document against
// the target's type (its json tags), not by reading the text of an
// encoding/json error, and is reported by position: the path of the object
// that holds it, built from Ura's own tags, so a client's text (a key can
// be a name pasted in the wrong place) is named only when the caller allows
// it and it looks like a field name. Each caller gives its own message keys.
package jsonread

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/ura-nrm/ura/internal/errs"
)

// Keys are a caller's catalogue keys for each kind of refusal.
type Keys struct {
	Invalid string // not JSON, more than one value, not an object when one is required
	Type    string // a value of the wrong type (the field is named)
	Unknown string // a member the request does not have
}

// Options configure one caller.
type Options struct {
	Max  int64 // the largest body read; a larger one is errs.TooLarge
	Keys Keys
	// NameUnknown puts an unknown member's own key in the error's field
	// (when it looks like a field name: lower case letters, digits, _).
	// Otherwise the field is the path of the object that holds it.
	NameUnknown bool
	// Object refuses anything but a JSON object at the top.
	Object bool
	// FieldOK, when set, must accept a field path before an error names it.
	FieldOK func(path string) bool
}

// UnknownField is the cause of an unknown-member error (errors.As on the
// returned error finds it): Parent is the path of the object holding the
// member ("" for the top, "person", "person.documents"), Key the member as
// the client wrote it. Its Error text never includes Key.
type UnknownField struct {
	Parent string
	Key    string
}

func (u *UnknownField) Error() string {
	if u.Parent == "" {
		return "jsonread: unknown member at the top level"
	}
	return "jsonread: unknown member in " + u.Parent
}

// maxDepth bounds the walk; encoding/json refuses deeper documents anyway.
const maxDepth = 200

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// safePath is what a field path built from tags must look like to be named.
var safePath = regexp.MustCompile(`^[a-z][a-z0-9_.]{0,63}$`)

// Read decodes one JSON value from r into v (a non-nil pointer) strictly.
func Read(r io.Reader, v any, o Options) error {
	b, err := io.ReadAll(io.LimitReader(r, o.Max+1))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) || int64(len(b)) > o.Max {
		return errs.E(errs.TooLarge, "error.too_large")
	}
	if err != nil {
		return errs.E(errs.Invalid, o.Keys.Invalid).Wrap(err)
	}
	return Bytes(b, v, o)
}

// Bytes is Read over a body already in memory (o.Max is not applied).
func Bytes(b []byte, v any, o Options) error {
	if !json.Valid(b) { // also refuses a second value after the first
		return errs.E(errs.Invalid, o.Keys.Invalid)
	}
	if o.Object && !bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{")) {
		return errs.E(errs.Invalid, o.Keys.Invalid)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errs.Internalf("jsonread: target is not a pointer")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := walk(dec, rv.Type().Elem(), "", 0); err != nil {
		var u *UnknownField
		if errors.As(err, &u) {
			return o.unknown(u)
		}
		return errs.E(errs.Invalid, o.Keys.Invalid).Wrap(err)
	}
	dec = json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // the walk found none; this only makes sure
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && o.nameable(te.Field) {
			return errs.InvalidField(te.Field, o.Keys.Type).Wrap(err)
		}
		if errors.As(err, &te) {
			return errs.E(errs.Invalid, o.Keys.Type).Wrap(err)
		}
		return errs.E(errs.Invalid, o.Keys.Invalid).Wrap(err)
	}
	return nil
}

func (o Options) nameable(path string) bool {
	return safePath.MatchString(path) && (o.FieldOK == nil || o.FieldOK(path))
}

func (o Options) unknown(u *UnknownField) error {
	field := u.Parent
	if o.NameUnknown && keyRE.MatchString(u.Key) {
		field = join(u.Parent, u.Key)
	}
	if field != "" && !o.nameable(field) {
		field = ""
	}
	return errs.InvalidField(field, o.Keys.Unknown).Wrap(u)
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// custom reports whether t decodes itself: its members are its own business.
func custom(t reflect.Type) bool {
	if t.Kind() != reflect.Pointer {
		t = reflect.PointerTo(t)
	}
	return t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType)
}

// walk reads one value from dec and checks every object member against t.
func walk(dec *json.Decoder, t reflect.Type, path string, depth int) error {
	if depth > maxDepth {
		return errors.New("jsonread: too deep")
	}
	for t.Kind() == reflect.Pointer && !custom(t) {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: its type is encoding/json's to check
	}
	if custom(t) {
		return skip(dec, d)
	}
	switch {
	case d == '{' && t.Kind() == reflect.Struct:
		fields := fieldsOf(t)
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			f, ok := fields.find(key)
			if !ok {
				return &UnknownField{Parent: path, Key: key}
			}
			if err := walk(dec, f.typ, join(path, f.name), depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case d == '{' && t.Kind() == reflect.Map:
		for dec.More() {
			if _, err := dec.Token(); err != nil {
				return err
			}
			// A map's keys are the client's: its values keep the map's path.
			if err := walk(dec, t.Elem(), path, depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case d == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for dec.More() {
			if err := walk(dec, t.Elem(), path, depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	// An interface takes anything; a mismatch of kinds is a type error
	// that encoding/json reports with the field.
	return skip(dec, d)
}

// skip reads the rest of a value whose opening delimiter was read.
func skip(dec *json.Decoder, d json.Delim) error {
	if d != '{' && d != '[' {
		return nil
	}
	for n := 1; n > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				n++
			} else {
				n--
			}
		}
	}
	return nil
}

type field struct {
	name string
	typ  reflect.Type
}

type fieldSet struct {
	exact map[string]field
	list  []field
}

// find matches a key as encoding/json does: exactly, else ignoring case.
func (s *fieldSet) find(key string) (field, bool) {
	if f, ok := s.exact[key]; ok {
		return f, true
	}
	for _, f := range s.list {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return field{}, false
}

var cache sync.Map // reflect.Type → *fieldSet

// fieldsOf lists the JSON members of a struct type, embedded structs'
// promoted members included (the shallower one wins, as in encoding/json).
func fieldsOf(t reflect.Type) *fieldSet {
	if s, ok := cache.Load(t); ok {
		return s.(*fieldSet)
	}
	s := &fieldSet{exact: map[string]field{}}
	var add func(t reflect.Type, depth int, seen map[reflect.Type]bool)
	depthOf := map[string]int{}
	add = func(t reflect.Type, depth int, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous && name == "" {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					add(et, depth+1, seen)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if d, ok := depthOf[name]; ok && d <= depth {
				continue
			}
			depthOf[name] = depth
			s.exact[name] = field{name: name, typ: ft}
		}
	}
	add(t, 0, map[reflect.Type]bool{})
	for _, f := range s.exact {
		s.list = append(s.list, f)
	}
	cache.Store(t, s)
	return s
}
