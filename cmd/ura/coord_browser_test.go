package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// coordWorkbook is a small action plan as the ministries keep it, led by
// the demo's police directorate, with an indicator of victims identified
// computed from Ura's case data.
func coordWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	put := func(sheet string, rows [][]any) {
		f.NewSheet(sheet)
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	const lead = "Demo Police THB Directorate"
	put("Objectives", [][]any{{"Code", "Kind", "Pillar", "Title"}, {"SO1", "Strategic objective", "Protection", "Victims are identified and assisted"}})
	put("Activities", [][]any{{"Code", "Objective", "Description", "Lead institution", "Deadline", "Cost estimate (EUR)", "Funding source"},
		{"1.1", "SO1", "Joint identification teams in every region", lead, "2026-Q4", "12000", "Kosovo budget"},
		{"1.2", "SO1", "Referral SOP revised with the shelters", lead, "2027-06-30", "3000", "Donor"}})
	put("Indicators", [][]any{{"Code", "Objective", "Indicator", "Level", "Target 2026", "Target 2027", "Computed from Ura's data", "Filter (dimension=code)"},
		{"I1", "SO1", "Victims identified", "Outcome", "40", "50", "victims", "status=identified"}})
	f.DeleteSheet("Sheet1")
	path := filepath.Join(t.TempDir(), "action-plan.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCoordinationBrowser is the story in a browser: the
// secretariat imports an action plan from XLSX; the police directorate
// reports quarterly progress on its activity with an evidence document;
// the secretariat validates it; a GRETA recommendation is linked to two
// activities; the indicator of victims identified fills itself from the
// demo's cases; the annual report comes as PDF (checked by its extracted
// text) and XLSX. Every page passes axe-core.
func TestCoordinationBrowser(t *testing.T) {
	browser := browsertest.New(t)
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	u := &storyTab{t: t, ctx: browser, in: in}
	book := coordWorkbook(t)
	evidence := filepath.Join(t.TempDir(), "minutes.txt")
	os.WriteFile(evidence, []byte("Minutes of the first meeting of the joint identification team.\n"), 0o644)

	// 1. The secretariat imports the plan.
	u.signIn("coordinator", "/signin?lang=en")
	u.do(chromedp.Navigate(in.URL+"/coord"), chromedp.WaitVisible(`#import-form`))
	u.axe()
	u.do(chromedp.SendKeys(`#import-form-title`, "Action Plan against THB 2026–2027"),
		chromedp.SetValue(`#import-form-kind`, "action_plan"),
		chromedp.SetValue(`#import-form-start`, "2026-01-01"), chromedp.SetValue(`#import-form-end`, "2027-12-31"),
		chromedp.SetValue(`#import-form-status`, "adopted"),
		chromedp.SetUploadFiles(`#import-file`, []string{book}),
		chromedp.Click(`#import-submit`), chromedp.WaitVisible(`#activity-table`))
	if n := u.count(`#activity-table tbody tr`); n != 2 {
		t.Fatalf("the imported plan has %d activities, want 2", n)
	}
	planURL := get(t, u.ctx, chromedp.Location())
	u.axe()
	u.signOut()

	// 2. The police directorate reports progress with evidence.
	u.signIn("police", "/signin?lang=en")
	u.do(chromedp.Navigate(planURL), chromedp.WaitVisible(`#activity-table`), openForms)
	form := `tr[data-code="1.1"] form`
	u.do(chromedp.SetValue(form+` select[name="period"]`, "2026-Q3"), chromedp.SetValue(form+` select[name="status"]`, "in_progress"),
		chromedp.SendKeys(form+` input[name="percent"]`, "60"),
		chromedp.SendKeys(form+` textarea[name="narrative"]`, "Teams work in four of the seven regions."),
		chromedp.SendKeys(form+` input[name="expenditure"]`, "7000"),
		chromedp.SetUploadFiles(form+` input[name="evidence"]`, []string{evidence}),
		chromedp.Click(form+` button[type="submit"]`), chromedp.WaitVisible(`#progress-list li[data-state="submitted"]`))
	if u.count(`tr[data-code="1.2"] form`) != 1 {
		t.Error("the police cannot report on their second activity")
	}
	u.axe()
	u.signOut()

	// 3. The secretariat validates; links a GRETA recommendation to two activities.
	u.signInAgain("coordinator") // the same account again: the next TOTP step
	u.do(chromedp.Navigate(planURL), chromedp.WaitVisible(`#progress-list`),
		chromedp.Click(`#progress-list button[value="validate"]`), chromedp.WaitVisible(`#progress-list li[data-state="validated"]`))
	if !strings.Contains(u.text(`#progress-list`), "minutes.txt") {
		t.Error("the report does not list its evidence")
	}
	// The secretariat edits activity 1.2: a deadline outside the plan is
	// refused beside the field, the typed text kept; then saved, and the
	// plan's history says so.
	u.do(chromedp.Navigate(planURL), chromedp.WaitVisible(`#activity-table`),
		chromedp.Click(`tr[data-code="1.2"] a.edit-link`, chromedp.NodeVisible), chromedp.WaitVisible(`#edit-form`))
	u.axe()
	u.do(chromedp.SetValue(`#edit-form-deadline`, "2030-Q1"), chromedp.Click(`#edit-save`), chromedp.WaitVisible(`#err-deadline`))
	if v := get(t, u.ctx, chromedp.Value(`#edit-form-deadline`)); v != "2030-Q1" {
		t.Errorf("the refused deadline was not kept: %q", v)
	}
	u.axe()
	u.do(chromedp.SetValue(`#edit-form-deadline`, "2027-Q1"), chromedp.Click(`#edit-save`), chromedp.WaitVisible(`#history-list`))
	if h := u.text(`#history-list`); !strings.Contains(h, "edited activity 1.2") || !strings.Contains(h, "Deadline") {
		t.Errorf("the history: %q", h)
	}
	if got := u.text(`tr[data-code="1.2"]`); !strings.Contains(got, "2027-Q1") {
		t.Errorf("the edited activity: %q", got)
	}
	u.do(chromedp.Navigate(in.URL+"/coord/recommendations"), chromedp.WaitVisible(`#assessment-form`),
		chromedp.SetValue(`#as-issuer`, "greta"), chromedp.SendKeys(`#as-title`, "Third evaluation round"), chromedp.SendKeys(`#as-year`, "2025"),
		chromedp.Submit(`#assessment-form`), chromedp.WaitVisible(`#recommendation-form`),
		chromedp.SendKeys(`#rec-code`, "R12"), chromedp.SendKeys(`#rec-body`, "Ensure that identification does not depend on cooperation."),
		chromedp.Submit(`#recommendation-form`), chromedp.WaitVisible(`#unanswered li`), openForms,
		chromedp.SendKeys(`form[id^="link-"] input[name="activities"]`, "1.1, 1.2"),
		chromedp.Click(`form[id^="link-"] button[type="submit"]`), chromedp.WaitVisible(`#unanswered p.empty`))
	if got := u.text(`.rec-activities`); !strings.Contains(got, "1.1") || !strings.Contains(got, "1.2") {
		t.Errorf("the recommendation is linked to %q", got)
	}
	u.axe()

	// 4. The indicator of victims identified fills itself.
	u.do(chromedp.Navigate(planURL), chromedp.WaitVisible(`#indicator-table`))
	if v := u.text(`#indicator-I1 td[data-year="2026"] .value`); v == "" || v == "–" {
		t.Errorf("the computed indicator shows %q for 2026", v)
	}
	if !strings.Contains(u.text(`#indicator-I1`), "computed from Ura") {
		t.Error("the indicator does not say it is computed, nor show its definition")
	}

	// 5. The annual report as PDF and XLSX.
	fetch := func(path string) []byte {
		b64 := get(t, u.ctx, chromedp.Evaluate[string](`fetch(`+jsString(path)+`).then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status)).then(b => {
			let s = ''; const a = new Uint8Array(b); for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s); })`,
			chromedp.EvalAwaitPromise))
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	base := strings.TrimPrefix(planURL, in.URL)
	if i := strings.IndexAny(base, "?#"); i >= 0 {
		base = base[:i] // the plan page's address without its query or fragment
	}
	pdf := fetch(base + "/reports/annual/pdf?period=2026")
	if bin, err := exec.LookPath("pdftotext"); err == nil {
		file := filepath.Join(t.TempDir(), "annual.pdf")
		if err := os.WriteFile(file, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "-enc", "UTF-8", file, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext: %v: %s (%d bytes, starting %q)", err, out, len(pdf), pdf[:min(len(pdf), 16)])
		}
		// A table cell's words may wrap onto lines of their own.
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, s := range []string{"Annual implementation report 2026", "Action Plan against THB", "Joint identification", "In progress",
			"Victims identified", "Demo Police THB Directorate"} {
			if !strings.Contains(text, s) {
				t.Errorf("the annual report's text lacks %q:\n%s", s, out)
			}
		}
	} else if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Error("the annual report is not a PDF")
	}
	xlsx := fetch(base + "/reports/annual/xlsx?period=2026")
	wb, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatalf("the annual report's workbook: %v", err)
	}
	defer wb.Close()
	if len(wb.GetSheetList()) < 4 {
		t.Errorf("the workbook has sheets %v", wb.GetSheetList())
	}
}
