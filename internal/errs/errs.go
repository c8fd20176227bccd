// Package errs is Ura's one error type. Every error that reaches a user carries a
// code and a translation key with a safe text; the cause stays for the logs only,
// so no personal value or stack trace ever reaches a page or an API client.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error; web and api map each code to one HTTP status.
type Code string

// The codes. Anything that is not an *Error is Internal.
const (
	Invalid         Code = "invalid"
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	TooLarge        Code = "too_large"
	RateLimited     Code = "rate_limited"
	Unavailable     Code = "unavailable"
	Internal        Code = "internal"
)

// Error is an error safe to show: Key names a catalogue message, Field the input
// field at fault (if any), Args fill the message. Err is the cause, for logs.
type Error struct {
	Code  Code
	Key   string
	Field string
	Args  map[string]any
	Err   error
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Key
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// E makes an error with a code and a translation key.
func E(code Code, key string) *Error { return &Error{Code: code, Key: key} }

// Invalidf is the common validation error for one field.
func InvalidField(field, key string) *Error {
	return &Error{Code: Invalid, Key: key, Field: field}
}

// With returns a copy carrying message arguments.
func (e *Error) With(args map[string]any) *Error {
	c := *e
	c.Args = args
	return &c
}

// Wrap returns a copy with a cause for the logs.
func (e *Error) Wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// Internalf wraps an unexpected failure; the user sees only a generic message.
func Internalf(format string, a ...any) *Error {
	return &Error{Code: Internal, Key: "error.internal", Err: fmt.Errorf(format, a...)}
}

// As returns the *Error inside err, or an Internal one wrapping err.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Key: "error.internal", Err: err}
}

// CodeOf returns the code of err (Internal for foreign errors, "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// httpStatus maps each code to its HTTP status: the one table for pages and API.
var httpStatus = map[Code]int{
	Invalid:         400,
	Unauthenticated: 401,
	Forbidden:       403,
	NotFound:        404,
	Conflict:        409,
	TooLarge:        413,
	RateLimited:     429,
	Unavailable:     503,
	Internal:        500,
}

// HTTPStatus returns the HTTP status for err (500 for foreign errors).
func HTTPStatus(err error) int {
	if s, ok := httpStatus[CodeOf(err)]; ok {
		return s
	}
	return 500
}
