package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestCaseUpdate edits the facts and the person through PATCH, and shows that
// a stale version, an unknown field and a role outside the team change nothing.
func TestCaseUpdate(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			en := newCaseEnv(t, e)
			code, m, raw := en.do(t, "police", "POST", "/api/v1/cases", registration)
			if code != http.StatusCreated {
				t.Fatalf("create: %d %s", code, raw)
			}
			path := "/api/v1/cases/" + m["id"].(string)
			_, c, _ := en.do(t, "police", "GET", path, "")
			v := int(c["version"].(float64))

			body := fmt.Sprintf(`{"version":%d,"municipality":"Prizren","person":{"given_name":"Lirije","family_name":"Berisha-Gashi","birth_date":"2001-04-09","sex":"female","citizenship":"XK"}}`, v)
			code, c, raw = en.do(t, "police", "PATCH", path, body)
			if code != http.StatusOK {
				t.Fatalf("update: %d %s", code, raw)
			}
			if c["municipality"] != "Prizren" || !strings.Contains(raw, "Berisha-Gashi") {
				t.Errorf("after update: %s", raw)
			}
			tests := []struct {
				name, who, body string
				want            int
			}{
				{"StaleVersion", "police", fmt.Sprintf(`{"version":%d,"municipality":"Pejë"}`, v), http.StatusConflict},
				{"UnknownField", "police", fmt.Sprintf(`{"version":%d,"favourite_colour":"blue"}`, v+1), http.StatusBadRequest},
				{"NotOnTheTeam", "shelter", fmt.Sprintf(`{"version":%d,"municipality":"Pejë"}`, v+1), http.StatusNotFound},
				{"FutureBirthDate", "police", fmt.Sprintf(`{"version":%d,"person":{"given_name":"A","family_name":"B","birth_date":"2999-01-01","sex":"female","citizenship":"XK"}}`, v+1), http.StatusBadRequest},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					code, _, raw := en.do(t, tt.who, "PATCH", path, tt.body)
					if code != tt.want {
						t.Errorf("status %d, want %d: %s", code, tt.want, raw)
					}
					if strings.Contains(raw, "blue") || strings.Contains(raw, "2999") {
						t.Errorf("the answer echoes input: %s", raw)
					}
				})
			}
			_, c, _ = en.do(t, "police", "GET", path, "")
			if c["municipality"] != "Prizren" || int(c["version"].(float64)) != v+1 {
				t.Errorf("a refused update changed the case: municipality %v, version %v", c["municipality"], c["version"])
			}
		})
	}
}
