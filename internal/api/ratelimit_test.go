package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/api"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/store"
)

// TestRateLimits: a token over its limit gets 429 with Retry-After and a
// problem document (checked against the OpenAPI document by newAPI) while
// another token goes on; an address over its limit gets 429 whatever the
// token, including made-up ones; both refill with time.
func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	a, _ := apptest.Open(t, store.SQLite)
	now := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: a.Clock, Limits: api.Limits{PerToken: 3, PerAddress: 6, Now: clock,
		ClientIP: func(r *http.Request) string { return r.Header.Get("Test-Client") }}})
	org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org analysts", Type: "ngo"})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, name := range []string{"one", "two"} {
		u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: name + "@rate.invalid", Name: "User " + name,
			Role: access.Analyst, OrgID: org.ID, Password: "api test passphrase 1"})
		if err != nil {
			t.Fatal(err)
		}
		if tokens[name], _, err = a.Auth.CreateToken(ctx, access.SystemActor, u.ID, "test", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	get := func(token, client string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Test-Client", client)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	before := metrics.APIRateLimited.Value("token")
	for i := range 3 {
		if rec := get(tokens["one"], "192.0.2.1"); rec.Code != 200 {
			t.Fatalf("request %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := get(tokens["one"], "192.0.2.2") // another address: the token's own limit
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "20" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("4th request of the token: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("Content-Type"))
	}
	var p api.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != 429 || p.Code != "rate_limited" || p.Detail == "" {
		t.Errorf("problem = %+v, %v", p, err)
	}
	if got := metrics.APIRateLimited.Value("token") - before; got != 1 {
		t.Errorf("ura_api_rate_limited_total{limit=token} grew by %d, want 1", got)
	}
	if rec := get(tokens["two"], "192.0.2.3"); rec.Code != 200 {
		t.Errorf("another token: %d", rec.Code)
	}
	now = now.Add(20 * time.Second) // one request refilled
	if rec := get(tokens["one"], "192.0.2.4"); rec.Code != 200 {
		t.Errorf("after Retry-After: %d", rec.Code)
	}

	// One address trying made-up tokens is stopped by the address limit.
	codes := map[int]int{}
	for i := range 8 {
		codes[get("ura_made_up_"+string(rune('a'+i)), "198.51.100.9").Code]++
	}
	if codes[401] != 6 || codes[429] != 2 {
		t.Errorf("made-up tokens from one address: %v, want 6 × 401 then 2 × 429", codes)
	}
	if rec := get(tokens["two"], "198.51.100.9"); rec.Code != 429 {
		t.Errorf("a good token from the limited address: %d, want 429", rec.Code)
	}
	// IPv6 clients are counted by their /64.
	for i := range 6 {
		get("ura_v6_"+string(rune('a'+i)), "2001:db8:1:2::"+string(rune('a'+i)))
	}
	if rec := get(tokens["two"], "2001:db8:1:2::ffff"); rec.Code != 429 {
		t.Errorf("another address of the same /64: %d, want 429", rec.Code)
	}
}

// TestRateLimitsOff: limits of 0 refuse nothing.
func TestRateLimitsOff(t *testing.T) {
	a, _ := apptest.Open(t, store.SQLite)
	h := newAPI(t, api.Deps{Auth: a.Auth, DB: a.DB, Clock: a.Clock})
	for i := range 50 {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 401 {
			t.Fatalf("request %d: %d, want 401", i+1, rec.Code)
		}
	}
}

var add429 = flag.Bool("add429", false, "add the 429 response to every operation of openapi.json that lacks it")

const ref429 = `"429": {"$ref": "#/components/responses/TooManyRequests"}`

const tooManyRequests = `"TooManyRequests": {"description": "Over a rate limit (per token or per client address): wait the seconds of Retry-After", "headers": {"Retry-After": {"description": "Seconds to wait before the next request", "required": true, "schema": {"type": "integer", "minimum": 1}}}, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}`

// TestEveryOperationDocuments429: the rate limits answer any operation, so
// the document lists 429 for each. After adding operations (or merging a
// document that lacks them), add them all at once with
//
//	go test ./internal/api -run TestEveryOperationDocuments429 -add429
//
// which edits openapi.json in place, one insertion per operation, leaving
// the rest of the text as it is, and adds the TooManyRequests response to
// the components when it is missing.
func TestEveryOperationDocuments429(t *testing.T) {
	if *add429 {
		b, err := os.ReadFile("openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		out, n := insert429(t, b)
		if !bytes.Contains(out, []byte(`"TooManyRequests"`)) {
			problem := []byte(`"Problem": {"description": "An error", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}`)
			if bytes.Count(out, problem) != 1 {
				t.Fatal("the Problem response of the components is not where it was: add TooManyRequests by hand")
			}
			out = bytes.Replace(out, problem, append(append([]byte(nil), problem...), []byte(",\n      "+tooManyRequests)...), 1)
		}
		if err := os.WriteFile("openapi.json", out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("added 429 to %d operations; rebuild to embed the document", n)
		return
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			if _, ok := op.Responses["429"]; !ok {
				t.Errorf("%s %s: no 429 response documented", m, p)
			}
		}
	}
}

// insert429 adds ref429 to every "responses" object of an operation that
// lacks a 429 (the components' responses object, which holds "Problem", is
// left alone), as text, so the file keeps its layout.
func insert429(t *testing.T, b []byte) ([]byte, int) {
	t.Helper()
	var out bytes.Buffer
	n, pos := 0, 0
	for _, m := range regexp.MustCompile(`"responses"\s*:\s*\{`).FindAllIndex(b, -1) {
		open := m[1] - 1
		end := matchBrace(b, open)
		if end < 0 {
			t.Fatalf("unbalanced braces after offset %d", open)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b[open:end+1], &obj); err != nil {
			t.Fatalf("responses at offset %d: %v", open, err)
		}
		if _, ok := obj["Problem"]; ok {
			continue
		}
		if _, ok := obj["429"]; ok {
			continue
		}
		k := end - 1
		for k > open && (b[k] == ' ' || b[k] == '\n' || b[k] == '\t' || b[k] == '\r') {
			k--
		}
		out.Write(b[pos : k+1])
		if k > open {
			out.WriteString(", ")
		}
		out.WriteString(ref429)
		pos = k + 1
		n++
	}
	out.Write(b[pos:])
	return out.Bytes(), n
}

// matchBrace returns the index of the brace closing the one at i (strings
// and their escapes skipped), or -1.
func matchBrace(b []byte, i int) int {
	depth, inStr, esc := 0, false, false
	for j := i; j < len(b); j++ {
		c := b[j]
		switch {
		case inStr && esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case inStr && c == '"':
			inStr = false
		case inStr:
		case c == '"':
			inStr = true
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}
