package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store"
)

// TestGBVClassifyEndpoint checks the contract of POST /api/v1/gbv/classify:
// the six answers in, the first type of the GBVIMS order out, problem
// details for a body that is not the six answers, and nothing for roles
// outside the policy.
func TestGBVClassifyEndpoint(t *testing.T) {
	en := newScreeningEnv(t, store.SQLite)
	names := []string{"penetration", "sexual_contact", "physical_assault", "forced_marriage", "denial_of_resources", "psychological_abuse"}
	types := []string{"rape", "sexual_assault", "physical_assault", "forced_marriage", "denial_of_resources", "psychological_abuse"}
	for n := 0; n < 64; n++ {
		body, want := "{", "non_gbv"
		for bit, name := range names {
			if bit > 0 {
				body += ","
			}
			on := n&(1<<bit) != 0
			body += fmt.Sprintf("%q:%v", name, on)
			if on && want == "non_gbv" {
				want = types[bit]
			}
		}
		body += "}"
		code, m, _ := en.do(t, access.Police, "POST", "/api/v1/gbv/classify", body, "")
		if code != http.StatusOK || m["type"] != want || len(m) != 1 {
			t.Fatalf("%s: %d %v, want %s", body, code, m, want)
		}
	}
	for _, body := range []string{`{`, `{"penetration":true,"perpetrator":"x"}`, `{"penetration":1}`, `[]`} {
		code, m, ct := en.do(t, access.Helpline, "POST", "/api/v1/gbv/classify", body, "")
		if code != http.StatusBadRequest || ct != "application/problem+json" {
			t.Errorf("%s: %d %s %v", body, code, ct, m)
		}
	}
	if code, _, _ := en.do(t, access.Analyst, "POST", "/api/v1/gbv/classify", `{}`, ""); code != http.StatusForbidden {
		t.Errorf("analyst: %d, want 403", code)
	}
}

// TestGBVIncidentEndpoint records an incident through the API: classified
// with what also applied, the account never answered; a future date and an
// unknown member refused; a role outside the policy refused.
func TestGBVIncidentEndpoint(t *testing.T) {
	en := newRecordsEnv(t, store.SQLite)
	path := "/api/v1/cases/" + en.caseID + "/gbv/incidents"
	body := `{"occurred_on":"2026-05-01","place_type":"home","context":"intimate_partner","reported_by":"survivor",
		"answers":{"physical_assault":true,"psychological_abuse":true},"account":"He broke the door."}`
	rec := en.do(t, "police", "POST", path, "application/json", strings.NewReader(body))
	if rec.Code != http.StatusCreated {
		t.Fatalf("record: %d %s", rec.Code, rec.Body.String())
	}
	if s := rec.Body.String(); !strings.Contains(s, `"type":"physical_assault"`) || !strings.Contains(s, `"also":["psychological_abuse"]`) ||
		strings.Contains(s, "door") {
		t.Errorf("answer %s", s)
	}
	future := strings.Replace(body, "2026-05-01", "2026-06-01", 1)
	if rec := en.do(t, "police", "POST", path, "application/json", strings.NewReader(future)); rec.Code != http.StatusBadRequest ||
		problemOf(t, rec).Field != "occurred_on" {
		t.Errorf("future incident: %d %s", rec.Code, rec.Body.String())
	}
	if rec := en.do(t, "police", "POST", path, "application/json", strings.NewReader(`{"occurred_on":"2026-05-01","perpetrator":"x"}`)); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown member: %d", rec.Code)
	}
	if rec := en.do(t, "coord", "POST", path, "application/json", strings.NewReader(body)); rec.Code != http.StatusForbidden {
		t.Errorf("coordinator: %d, want 403", rec.Code)
	}
}
