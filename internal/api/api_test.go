package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/api"
)

// TestOpenAPIListsEveryRoute keeps the document and the router in step: every
// route is documented with its method, and nothing is documented that the
// router does not serve.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, rt := range api.Routes() {
		key := strings.ToLower(rt.Method) + " " + rt.Pattern
		served[key] = true
		if _, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !served[m+" "+p] {
				t.Errorf("the document lists %s %s, which the router does not serve", m, p)
			}
		}
	}
}
