package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/plans"
)

func (a *api) handleRiskAssessment(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in plans.RiskInput
	if a.Records.Plans == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	v, err := a.Records.Plans.AssessRisk(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusCreated, v, err)
}

func (a *api) handleNeedsAssessment(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in plans.NeedsInput
	if a.Records.Plans == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	v, err := a.Records.Plans.AssessNeeds(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusCreated, v, err)
}

func (a *api) handlePlanCreate(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in plans.PlanInput
	if a.Records.Plans == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	v, err := a.Records.Plans.CreatePlan(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusCreated, v, err)
}

func (a *api) handlePlanItem(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in plans.ItemInput
	if a.Records.Plans == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	v, err := a.Records.Plans.AddItem(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusCreated, v, err)
}

// progressInput is the body of POST /api/v1/plan-items/{id}/progress.
type progressInput struct {
	Progress string `json:"progress"`
	EndedOn  string `json:"ended_on"`
}

func (a *api) handlePlanProgress(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in progressInput
	if a.Records.Plans == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	err := a.Records.Plans.SetProgress(r.Context(), u.Actor(), r.PathValue("id"), in.Progress, in.EndedOn)
	a.answer(w, r, http.StatusOK, map[string]string{"progress": in.Progress}, err)
}

func (a *api) handleReview(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in plans.ReviewInput
	if a.Records.Plans == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	v, err := a.Records.Plans.RecordReview(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusCreated, v, err)
}

func (a *api) handleCare(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Plans == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	v, err := a.Records.Plans.View(r.Context(), u.Actor(), r.PathValue("id"))
	a.answer(w, r, http.StatusOK, v, err)
}

func (a *api) handleTasks(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Clocks == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	list, err := a.Records.Clocks.DueFor(r.Context(), u.Actor())
	a.answer(w, r, http.StatusOK, itemsOf(list), err)
}

func (a *api) handleTasksOverdue(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Clocks == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	list, err := a.Records.Clocks.Overdue(r.Context(), u.Actor())
	a.answer(w, r, http.StatusOK, itemsOf(list), err)
}

func (a *api) handleTaskDone(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Clocks == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	t, err := a.Records.Clocks.Complete(r.Context(), u.Actor(), r.PathValue("id"))
	a.answer(w, r, http.StatusOK, t, err)
}

func (a *api) handleNotes(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Notes == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	list, err := a.Records.Notes.Notes(r.Context(), u.Actor(), r.PathValue("id"))
	a.answer(w, r, http.StatusOK, itemsOf(list), err)
}

func (a *api) handleNoteCreate(w http.ResponseWriter, r *http.Request, u *auth.User) {
	var in casenotes.NoteInput
	if a.Records.Notes == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	if !a.readJSON(w, r, &in) {
		return
	}
	n, err := a.Records.Notes.AddNote(r.Context(), u.Actor(), r.PathValue("id"), in)
	a.answer(w, r, http.StatusCreated, n, err)
}

func (a *api) handleNote(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Notes == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	n, err := a.Records.Notes.Note(r.Context(), u.Actor(), r.PathValue("id"))
	a.answer(w, r, http.StatusOK, n, err)
}

func (a *api) handleDocuments(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Notes == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	list, err := a.Records.Notes.Documents(r.Context(), u.Actor(), r.PathValue("id"))
	a.answer(w, r, http.StatusOK, itemsOf(list), err)
}

// multipartOverhead is what a multipart envelope and the small fields add to
// an upload's limit.
const multipartOverhead = 64 << 10

// handleDocumentUpload reads a multipart/form-data body with one part
// "file" and optional "visibility" and "description" parts, streaming: no
// temporary file is written, and a file over the limit is refused before
// anything is stored.
func (a *api) handleDocumentUpload(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Notes == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	limit := a.Records.Notes.Limit()
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
		WriteProblem(w, r, errs.E(errs.Invalid, "api.multipart_required"), a.Log)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+multipartOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		WriteProblem(w, r, errs.E(errs.Invalid, "api.multipart_required").Wrap(err), a.Log)
		return
	}
	var in casenotes.DocumentInput
	seenFile := false
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			WriteProblem(w, r, uploadErr(err), a.Log)
			return
		}
		switch p.FormName() {
		case "file":
			in.Name, in.ClaimedType = p.FileName(), p.Header.Get("Content-Type")
			in.Data, err = io.ReadAll(io.LimitReader(p, limit+1))
			seenFile = true
		case "visibility":
			var b []byte
			b, err = io.ReadAll(io.LimitReader(p, 64))
			in.Visibility = casenotes.Visibility(strings.TrimSpace(string(b)))
		case "description":
			var b []byte
			b, err = io.ReadAll(io.LimitReader(p, 16<<10))
			in.Description = string(b)
		default:
			err = errs.InvalidField("file", "api.multipart_part")
		}
		p.Close()
		if err != nil {
			WriteProblem(w, r, uploadErr(err), a.Log)
			return
		}
	}
	if !seenFile {
		WriteProblem(w, r, errs.InvalidField("file", "validation.required"), a.Log)
		return
	}
	d, err := a.Records.Notes.AddDocument(r.Context(), u.Actor(), r.PathValue("id"), in)
	clear(in.Data)
	a.answer(w, r, http.StatusCreated, d, err)
}

func uploadErr(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return errs.E(errs.TooLarge, "attachment.too_large")
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return e
	}
	return errs.E(errs.Invalid, "api.multipart_required").Wrap(err)
}

// handleDocument serves an attachment so that no browser runs it: always a
// download (Content-Disposition: attachment), its sniffed type (never HTML
// or SVG: Sniff accepts neither), no sniffing by the browser, and a sandbox
// policy in case something opens it anyway.
func (a *api) handleDocument(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Records.Notes == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	d, data, err := a.Records.Notes.OpenDocument(r.Context(), u.Actor(), r.PathValue("id"))
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	h := w.Header()
	h.Set("Content-Type", string(d.MediaType))
	h.Set("Content-Disposition", contentDisposition(d.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
	clear(data)
}

// contentDisposition names the download: an ASCII fallback and the real name
// RFC 5987-encoded by mime.FormatMediaType.
func contentDisposition(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}
