package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/store"
)

// upload posts a multipart form with one file as the role's session.
func (en *env) upload(t *testing.T, cookie, csrf, path, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", csrf)
	w.WriteField("visibility", "team")
	w.WriteField("description", "Statement")
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "ura_session", Value: cookie})
	rec := httptest.NewRecorder()
	en.h.ServeHTTP(rec, req)
	return rec
}

func wantIn(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestCaseRecordPages fills every record form of a child's case as the
// roles that may, and reads the sections, the dashboards and a download.
func TestCaseRecordPages(t *testing.T) {
	en := newEnv(t, store.SQLite)
	police, pcsrf := en.session(t, access.Police)
	birth := en.clk.Now().AddDate(-14, 0, 0).Format("2006-01-02")
	rec := en.post(t, police, "/cases", url.Values{"csrf": {pcsrf}, "given_name": {"Arbër"}, "family_name": {"Krasniqi"},
		"birth_date": {birth}, "sex": {"male"}, "citizenship": {"XK"}, "exploitation": {"ForcedLabour"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("register: %d", rec.Code)
	}
	casePath := rec.Header().Get("Location")
	ref := ""

	t.Run("ChildTasks", func(t *testing.T) {
		code, body := en.get(t, police, casePath)
		if code != 200 {
			t.Fatalf("case page: %d", code)
		}
		wantIn(t, "case page", body, `id="tasks"`, `id="task-guardian_appointment"`, `id="task-social_work_notification"`,
			`id="consent-form"`, `id="consent-ledger"`, `id="risk-form"`, `id="risk-level"`, `id="plan"`, `id="notes"`,
			`id="note-form"`, `id="documents"`, `id="consent-child-view-agrees"`)
		if strings.Contains(body, `id="plan-form"`) {
			t.Error("the police may not write plans, yet the plan form is shown")
		}
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("%d h1", n)
		}
		ref = regexp.MustCompile(`id="case-reference">([^<]+)<`).FindStringSubmatch(body)[1]
	})

	t.Run("Consent", func(t *testing.T) {
		form := url.Values{"csrf": {pcsrf}, "scope": {"data_processing"}, "language": {"sq"}, "given_by": {"guardian"},
			"child_view": {"agrees"}, "informed_purpose": {"1"}, "informed_data_use": {"1"}, "informed_storage_duration": {"1"},
			"informed_access_right": {"1"}}
		rec := en.post(t, police, casePath+"/consent", form)
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("uninformed consent: %d", rec.Code)
		}
		wantIn(t, "refused consent form", rec.Body.String(), `<p class="field-error" id="err-consent.informed">`, `value="sq"`, `id="consent-informed-purpose" name="informed_purpose" value="1" checked`)
		form.Set("informed_withdrawal", "1")
		// The guardian's consent needs a guardian on the case: refused, with
		// the reason beside the field and the form kept.
		rec = en.post(t, police, casePath+"/consent", form)
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("consent with no guardian recorded: %d", rec.Code)
		}
		wantIn(t, "consent with no guardian", rec.Body.String(), "No guardian is recorded on this case yet", `value="sq"`)
		g := url.Values{"csrf": {pcsrf}, "kind": {"csw_officer"}, "name": {"Besa <Kujdestare>"}, "authority": {"CSW Prizren"},
			"decision_ref": {"12/2026"}, "decision_date": {"2099-01-01"}}
		rec = en.post(t, police, casePath+"/guardians", g)
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("guardian decided in the future: %d", rec.Code)
		}
		wantIn(t, "refused guardian form", rec.Body.String(), `id="guardian-form"`, `value="12/2026"`, "cannot be in the future", "<details open>")
		g.Set("decision_date", "2026-01-05")
		if rec := en.post(t, police, casePath+"/guardians", g); rec.Code != http.StatusSeeOther {
			t.Fatalf("guardian: %d %s", rec.Code, rec.Body.String())
		}
		_, body := en.get(t, police, casePath)
		wantIn(t, "guardian section", body, `id="guardian-list"`, "Besa &lt;Kujdestare&gt;", "12/2026")
		if rec := en.post(t, police, casePath+"/consent", form); rec.Code != http.StatusSeeOther {
			t.Fatalf("consent: %d %s", rec.Code, rec.Body.String())
		}
		_, body = en.get(t, police, casePath)
		wantIn(t, "ledger", body, `data-type="grant"`, `data-active="true"`, "Processing of personal data", "The child agrees")
		id := regexp.MustCompile(`/consent/([a-z2-9]{26})/withdraw`).FindStringSubmatch(body)
		if id == nil {
			t.Fatal("no withdraw form")
		}
		if rec := en.post(t, police, casePath+"/consent/"+id[1]+"/withdraw", url.Values{"csrf": {pcsrf}, "given_by": {"guardian"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", rec.Code)
		}
		_, body = en.get(t, police, casePath)
		wantIn(t, "ledger", body, `data-type="withdrawal"`, "Withdrawn on")
		if rec := en.post(t, police, "/cases/"+strings.Repeat("a", 26)+"/consent/"+id[1]+"/withdraw", url.Values{"csrf": {pcsrf}, "given_by": {"guardian"}}); rec.Code != http.StatusNotFound {
			t.Errorf("withdraw through another case: %d, want 404", rec.Code)
		}
	})

	t.Run("RiskAndNeeds", func(t *testing.T) {
		rec := en.post(t, police, casePath+"/risk", url.Values{"csrf": {pcsrf}, "level": {"high"}})
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="risk-level-high" name="level" value="high" required checked`) {
			t.Fatalf("risk without threats: %d", rec.Code)
		}
		if rec := en.post(t, police, casePath+"/risk", url.Values{"csrf": {pcsrf}, "level": {"high"}, "threats": {"Recruiter knows the family."}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("risk: %d", rec.Code)
		}
		if rec := en.post(t, police, casePath+"/needs", url.Values{"csrf": {pcsrf}, "needs": {"medical", "documents"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("needs: %d", rec.Code)
		}
		_, body := en.get(t, police, casePath)
		wantIn(t, "risk section", body, `id="risk-level" data-level="high"`, "Recruiter knows the family.", "Identity documents", `id="task-risk_reassessment"`)
	})

	t.Run("NotesAndDocuments", func(t *testing.T) {
		if rec := en.post(t, police, casePath+"/notes", url.Values{"csrf": {pcsrf}, "body": {" "}}); rec.Code != http.StatusBadRequest {
			t.Errorf("empty note: %d", rec.Code)
		}
		if rec := en.post(t, police, casePath+"/notes", url.Values{"csrf": {pcsrf}, "body": {"Met at the border crossing."}, "visibility": {"team"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("note: %d", rec.Code)
		}
		big := bytes.Repeat([]byte("statement line\n"), 2<<20/15) // over the 1 MiB page limit
		rec := en.upload(t, police, pcsrf, casePath+"/documents", "statement.txt", big)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
		}
		if rec := en.upload(t, police, pcsrf, casePath+"/documents", "page.html", []byte("<html><script>x</script>")); rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnsupportedMediaType {
			t.Errorf("HTML upload: %d", rec.Code)
		}
		_, body := en.get(t, police, casePath)
		wantIn(t, "notes", body, "Met at the border crossing.", "statement.txt")
		link := regexp.MustCompile(`href="(/cases/[a-z2-9]+/documents/[a-z2-9]+)"`).FindStringSubmatch(body)
		if link == nil {
			t.Fatal("no download link")
		}
		req := httptest.NewRequest("GET", link[1], nil)
		req.AddCookie(&http.Cookie{Name: "ura_session", Value: police})
		dl := httptest.NewRecorder()
		en.h.ServeHTTP(dl, req)
		h := dl.Header()
		if dl.Code != 200 || dl.Body.Len() != len(big) || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || h.Get("Content-Security-Policy") != "sandbox" ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download: %d, %d bytes, headers %v", dl.Code, dl.Body.Len(), h)
		}
		other := strings.Replace(link[1], casePath, "/cases/"+strings.Repeat("b", 26), 1)
		if code, _ := en.get(t, police, other); code != http.StatusNotFound {
			t.Errorf("download through another case: %d", code)
		}
	})

	t.Run("Plan", func(t *testing.T) {
		_, body := en.get(t, police, casePath)
		if rec := en.post(t, police, casePath+"/team", url.Values{"csrf": {pcsrf}, "org": {en.users[access.Advocate].OrgID}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("team: %d %s", rec.Code, body[:0])
		}
		adv, acsrf := en.session(t, access.Advocate)
		if rec := en.post(t, adv, casePath+"/plan/items", url.Values{"csrf": {acsrf}, "type": {"Health"}}); rec.Code != http.StatusBadRequest {
			t.Errorf("item without a plan: %d", rec.Code)
		}
		if rec := en.post(t, adv, casePath+"/plan", url.Values{"csrf": {acsrf}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("plan: %d", rec.Code)
		}
		due := en.clk.Now().AddDate(0, 1, 0).Format("2006-01-02")
		if rec := en.post(t, adv, casePath+"/plan/items", url.Values{"csrf": {acsrf}, "type": {"Health"}, "goals": {"Regular check-ups"},
			"actions": {"Register with a family doctor"}, "responsible_org": {en.users[access.Advocate].OrgID}, "due_on": {due}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("item: %d %s", rec.Code, rec.Body.String())
		}
		_, body = en.get(t, adv, casePath)
		wantIn(t, "plan", body, `id="plan-items"`, "Regular check-ups", `data-progress="planned"`, `id="task-plan_review"`)
		item := regexp.MustCompile(`/plan/items/([a-z2-9]{26})/progress`).FindStringSubmatch(body)
		if item == nil {
			t.Fatal("no progress form")
		}
		if rec := en.post(t, adv, casePath+"/plan/items/"+item[1]+"/progress", url.Values{"csrf": {acsrf}, "progress": {"in_progress"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("progress: %d", rec.Code)
		}
		_, body = en.get(t, adv, casePath)
		wantIn(t, "plan", body, `data-progress="in_progress"`)
	})

	t.Run("Dashboards", func(t *testing.T) {
		_, body := en.get(t, police, "/")
		// The guardian appointment ended when the guardian was recorded; the
		// notification of the Centre for Social Work is still the police's.
		wantIn(t, "police dashboard", body, `id="dashboard"`, `id="dashboard-tasks"`, ref, "Notify the Centre for Social Work")
		task := regexp.MustCompile(`action="/tasks/([a-z2-9]{26})/done"`).FindStringSubmatch(body)
		if task == nil {
			t.Fatal("no mark-done form")
		}
		rec := en.post(t, police, "/tasks/"+task[1]+"/done", url.Values{"csrf": {pcsrf}, "back": {"//evil.example"}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
			t.Errorf("done: %d to %q", rec.Code, rec.Header().Get("Location"))
		}
		if rec := en.post(t, police, "/tasks/"+task[1]+"/done", url.Values{"csrf": {pcsrf}}); rec.Code != http.StatusConflict {
			t.Errorf("done twice: %d, want 409", rec.Code)
		}
		en.clk.Advance(200 * 24 * time.Hour) // the plan's review and the risk's re-assessment are overdue
		coord, _ := en.session(t, access.Coordinator)
		_, body = en.get(t, coord, "/")
		wantIn(t, "coordinator dashboard", body, `id="overdue-tasks"`, ref, "days overdue")
		if strings.Contains(body, "Krasniqi") {
			t.Error("the coordinator's overview shows a name")
		}
		analyst, _ := en.session(t, access.Analyst)
		_, body = en.get(t, analyst, "/")
		// The analyst sees counts by stage and year, no case and no task.
		wantIn(t, "analyst dashboard", body, `id="stage-counts"`, `id="year-counts"`)
		if strings.Contains(body, ref) || strings.Contains(body, `id="tasks"`) {
			t.Error("the analyst's home page shows a case or a task list")
		}
		admin, _ := en.session(t, access.Admin)
		_, body = en.get(t, admin, "/")
		wantIn(t, "admin dashboard", body, `id="dashboard"`, "works with no cases")
	})
}
