package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/ura-nrm/ura/internal/api"
)

// The OpenAPI document is proved against the API itself: every API test
// builds its handler with newAPI, which checks every response the test
// receives (status, content type, body) against the document's schemas,
// and every request the API accepted (query and body) against the
// document's request schemas. A field the code sends but the document does
// not describe fails the test that received it.

var (
	docOnce   sync.Once
	docRouter routers.Router
	docErr    error

	// exercised records the documented operations the tests called
	// ("get /api/v1/me"), whatever the answer.
	exercisedMu sync.Mutex
	exercised   = map[string]bool{}
)

func openAPIRouter(t testing.TB) routers.Router {
	t.Helper()
	docOnce.Do(func() {
		loader := openapi3.NewLoader()
		var doc *openapi3.T
		doc, docErr = loader.LoadFromData(api.OpenAPI())
		if docErr != nil {
			return
		}
		if docErr = doc.Validate(context.Background()); docErr != nil {
			return
		}
		docRouter, docErr = gorillamux.NewRouter(doc)
	})
	if docErr != nil {
		t.Fatalf("the OpenAPI document does not load: %v", docErr)
	}
	return docRouter
}

// newAPI is api.New for tests: the handler, checked against the document.
func newAPI(t testing.TB, d api.Deps) http.Handler {
	return validated(t, api.New(d))
}

// validated wraps h so each exchange is checked against the document.
func validated(t testing.TB, h http.Handler) http.Handler {
	router := openAPIRouter(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for _, e := range checkExchange(router, r, body, rec) {
			t.Errorf("%s", e)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// checkExchange returns what in one exchange the document does not
// describe.
func checkExchange(router routers.Router, r *http.Request, body []byte, rec *httptest.ResponseRecorder) []string {
	var faults []string
	// A copy of the request as the client sent it (the handler has read
	// the body).
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	if req.URL.Host == "" {
		req.URL.Scheme, req.URL.Host = "http", r.Host
	}
	where := r.Method + " " + r.URL.RequestURI()
	route, params, err := router.FindRoute(req)
	if err != nil {
		// A path the API does not serve must be refused, not answered.
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			faults = append(faults, fmt.Sprintf("%s: not in the OpenAPI document, answered %d", where, rec.Code))
		}
		return faults
	}
	exercisedMu.Lock()
	exercised[strings.ToLower(route.Method)+" "+route.Path] = true
	exercisedMu.Unlock()
	ctx := context.Background()
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	// A request the API accepted must be one the document describes; a
	// refused one is bad input on purpose (the tests of bad input).
	if rec.Code < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			faults = append(faults, fmt.Sprintf("%s: the request (answered %d) does not match the OpenAPI document:\n%v\nbody: %s",
				where, rec.Code, err, clip(body)))
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                opts,
	}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		faults = append(faults, fmt.Sprintf("%s: the response %d does not match the OpenAPI document:\n%v\nbody: %s",
			where, rec.Code, err, clip(rec.Body.Bytes())))
	}
	return faults
}

// TestDocumentCatchesDrift proves the check itself: a handler answering
// with a field, a status or a route the document does not describe, or
// accepting a body it does not describe, is caught.
func TestDocumentCatchesDrift(t *testing.T) {
	router := openAPIRouter(t)
	me := `{"id":"u1","email":"a@example.org","name":"A","role":"police","organisation":{"id":"o1","name":"Police"}}`
	tests := []struct {
		name, method, path, body string
		status                   int
		ctype, answer            string
		want                     string // "" when the exchange is as documented
	}{
		{"documented answer", "GET", "/api/v1/me", "", 200, "application/json", me, ""},
		{"undocumented field", "GET", "/api/v1/me", "", 200, "application/json",
			strings.Replace(me, `"name":"A"`, `"name":"A","phone":"+383 44 000 000"`, 1), "phone"},
		{"undocumented nested field", "GET", "/api/v1/me", "", 200, "application/json",
			strings.Replace(me, `"name":"Police"`, `"name":"Police","type":"police"`, 1), "type"},
		{"wrong type", "GET", "/api/v1/me", "", 200, "application/json", strings.Replace(me, `"A"`, `7`, 1), "name"},
		{"undocumented status", "GET", "/api/v1/me", "", 418, "application/problem+json",
			`{"type":"x","title":"x","status":418,"code":"x"}`, "status"},
		{"problem with an extra member", "GET", "/api/v1/me", "", 401, "application/problem+json",
			`{"type":"x","title":"x","status":401,"code":"x","trace":"abc"}`, "trace"},
		{"undocumented route answered", "GET", "/api/v1/nowhere", "", 200, "application/json", `{}`, "not in the OpenAPI document"},
		{"undocumented route refused", "GET", "/api/v1/nowhere", "", 404, "application/problem+json", `{}`, ""},
		{"accepted body the document refuses", "POST", "/api/v1/screenings/assess", `{"profile":"adult_labour","colour":"red"}`,
			200, "application/json", `{}`, "colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Type", tt.ctype)
			rec.WriteHeader(tt.status)
			rec.WriteString(tt.answer)
			faults := strings.Join(checkExchange(router, req, []byte(tt.body), rec), "\n")
			switch {
			case tt.want == "" && faults != "":
				t.Errorf("a documented exchange was refused:\n%s", faults)
			case tt.want != "" && !strings.Contains(faults, tt.want):
				t.Errorf("the drift (%s) was not caught; faults: %q", tt.want, faults)
			}
		})
	}
}

func clip(b []byte) string {
	s := string(b)
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return strings.TrimSpace(s)
}

// TestMain reports, after a run of the whole package, the documented
// operations that no API test called: their answers are unproved.
func TestMain(m *testing.M) {
	code := m.Run()
	if f := flag.Lookup("test.run"); code == 0 && f != nil && f.Value.String() == "" && testing.Verbose() {
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(api.OpenAPI(), &doc); err == nil {
			var missing []string
			total := 0
			for p, ops := range doc.Paths {
				for m := range ops {
					total++
					if !exercised[m+" "+p] {
						missing = append(missing, m+" "+p)
					}
				}
			}
			sort.Strings(missing)
			fmt.Printf("OpenAPI operations exercised by the API tests: %d of %d\n", total-len(missing), total)
			for _, op := range missing {
				fmt.Printf("  not exercised: %s\n", op)
			}
		}
	}
	os.Exit(code)
}
