package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/casenotes"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
)

// notesSection is the visible notes and documents of a case.
type notesSection struct {
	CanNoteRead, CanNoteWrite bool
	CanDocRead, CanDocWrite   bool
	Notes                     []noteRow
	Docs                      []docRow
	Categories                []string
	MaxMiB                    int64
}

type noteRow struct {
	*casenotes.Note
	AuthorOrgName string
}

type docRow struct {
	*casenotes.Document
	AuthorOrgName string
	SizeKiB       int64
}

func (s *server) loadNotes(r *http.Request, a access.Actor, c *cases.Case, d *caseRecords) error {
	if s.app.Notes == nil {
		return nil
	}
	sec := &notesSection{Categories: casenotes.Categories, MaxMiB: s.app.Notes.Limit() >> 20,
		CanNoteWrite: access.Can(a, access.NoteWrite), CanDocWrite: access.Can(a, access.DocumentWrite)}
	if mayRead(a, c, access.NoteRead) {
		notes, err := s.app.Notes.Notes(r.Context(), a, c.ID)
		switch {
		case err == nil:
			sec.CanNoteRead = true
			for _, n := range notes {
				sec.Notes = append(sec.Notes, noteRow{Note: n, AuthorOrgName: d.org(n.AuthorOrg)})
			}
		case !absent(err):
			return err
		}
	}
	if mayRead(a, c, access.DocumentRead) {
		docs, err := s.app.Notes.Documents(r.Context(), a, c.ID)
		switch {
		case err == nil:
			sec.CanDocRead = true
			for _, doc := range docs {
				sec.Docs = append(sec.Docs, docRow{Document: doc, AuthorOrgName: d.org(doc.AuthorOrg), SizeKiB: (doc.Size + 1023) / 1024})
			}
		case !absent(err):
			return err
		}
	}
	if sec.CanNoteRead || sec.CanDocRead {
		d.Notes = sec
	}
	return nil
}

func (s *server) handleNoteAdd(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	_, err := s.app.Notes.AddNote(r.Context(), st.user.Actor(), r.PathValue("id"), casenotes.NoteInput{
		Visibility: casenotes.Visibility(r.PostFormValue("visibility")), Category: r.PostFormValue("category"),
		Body: r.PostFormValue("body")})
	s.recordResult(w, r, "note", "notes", err, "flash.note_added")
}

// multipartOverhead is what the multipart envelope and the small fields
// (CSRF token, visibility, description) add to an upload's size.
const multipartOverhead = 64 << 10

// uploadRoutes are the routes whose body is a document upload: they get the
// attachment limit instead of the server-wide one. The router's own pattern
// matching decides, not a hand-written path parser.
var uploadRoutes = func() *http.ServeMux {
	m := http.NewServeMux()
	nop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	m.Handle("POST /cases/{id}/documents", nop)
	m.Handle("POST /api/v1/cases/{id}/documents", nop)
	m.Handle("POST /coord/import", nop)                                    // a plan workbook (coord.go)
	m.Handle("POST /coord/plans/{id}/activities/{activity}/progress", nop) // evidence documents (coord.go)
	return m
}()

// uploadLimit is the body limit of an upload request, if r is one.
func (s *server) uploadLimit(r *http.Request) (limit int64, ok bool) {
	if s.app.Notes == nil {
		return 0, false
	}
	if _, pattern := uploadRoutes.Handler(r); pattern == "" {
		return 0, false
	}
	return s.app.Notes.Limit() + multipartOverhead, true
}

// handleDocumentUpload stores an uploaded file. The body limit was raised
// for this route only (uploadLimit) and the guard has parsed the multipart
// form for the CSRF token; the file is checked by content before anything
// is stored (casenotes.Sniff).
func (s *server) handleDocumentUpload(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	limit := s.app.Notes.Limit()
	in := casenotes.DocumentInput{Visibility: casenotes.Visibility(r.PostFormValue("visibility")),
		Description: r.PostFormValue("description")}
	f, hdr, err := r.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		err = errs.InvalidField("file", "validation.required")
	case err != nil:
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			err = errs.E(errs.TooLarge, "attachment.too_large").With(map[string]any{"max": limit >> 20})
		} else {
			err = errs.InvalidField("file", "validation.invalid").Wrap(err)
		}
	default:
		defer f.Close()
		in.Name, in.ClaimedType = hdr.Filename, hdr.Header.Get("Content-Type")
		in.Data, err = io.ReadAll(io.LimitReader(f, limit+1))
		if err == nil {
			_, err = s.app.Notes.AddDocument(r.Context(), st.user.Actor(), r.PathValue("id"), in)
		}
		clear(in.Data)
	}
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
	s.recordResult(w, r, "document", "documents", err, "flash.document_added")
}

// handleDocumentDownload serves an attachment so that no browser runs it:
// always a download, its sniffed type (never HTML or SVG), no sniffing by
// the browser, and a sandbox policy should anything open it anyway. The
// document must belong to the case in the address.
func (s *server) handleDocumentDownload(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	d, data, err := s.app.Notes.OpenDocument(r.Context(), st.user.Actor(), r.PathValue("doc"))
	if err == nil && d.CaseID != r.PathValue("id") {
		err = errs.E(errs.NotFound, "document.not_found")
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	defer clear(data)
	h := w.Header()
	h.Set("Content-Type", string(d.MediaType))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}
