package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ura-nrm/ura/internal/errs"
)

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{errs.E(errs.Invalid, "k"), 400},
		{errs.E(errs.Unauthenticated, "k"), 401},
		{errs.E(errs.Forbidden, "k"), 403},
		{errs.E(errs.NotFound, "k"), 404},
		{errs.E(errs.Conflict, "k"), 409},
		{errs.E(errs.TooLarge, "k"), 413},
		{errs.E(errs.RateLimited, "k"), 429},
		{errs.E(errs.Unavailable, "k"), 503},
		{fmt.Errorf("wrapped: %w", errs.E(errs.NotFound, "k")), 404},
		{errors.New("a driver error with a value in it"), 500},
	}
	for _, tt := range tests {
		if got := errs.HTTPStatus(tt.err); got != tt.want {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestForeignErrorsAreInternal keeps causes out of what users see: a foreign
// error becomes Internal with the generic key, its text only in Err.
func TestForeignErrorsAreInternal(t *testing.T) {
	cause := errors.New("pq: duplicate key value (email)=(someone@example.invalid)")
	e := errs.As(cause)
	if e.Code != errs.Internal || e.Key != "error.internal" {
		t.Errorf("As(foreign) = %s/%s, want internal/error.internal", e.Code, e.Key)
	}
	if !errors.Is(e, cause) {
		t.Error("the cause is lost for the logs")
	}
}
