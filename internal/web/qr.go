package web

import (
	"fmt"
	"html/template"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// qrSVG draws the otpauth URI as an inline SVG: no image library, no request,
// nothing written to disk; the secret exists only in this answer.
func qrSVG(text string) (template.HTML, error) {
	q, err := qrcode.New(text)
	if err != nil {
		return "", err
	}
	w := &svgWriter{}
	if err := q.Save(w); err != nil {
		return "", err
	}
	return template.HTML(w.out), nil
}

type svgWriter struct{ out string }

func (s *svgWriter) Write(mat qrcode.Matrix) error {
	bm := mat.Bitmap()
	const quiet = 4
	n := len(bm)
	size := n + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" aria-hidden="true" focusable="false"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, size, size, size*6, size*6)
	for y, row := range bm {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	s.out = b.String()
	return nil
}

func (s *svgWriter) Close() error { return nil }
